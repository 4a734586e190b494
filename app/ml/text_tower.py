"""CLIP's text tower over only the tokens that hold text.

open_clip pads every text to the model's context (77 tokens) and runs the whole sequence, but
CLIP's text transformer is causal and reads its result at the end-of-text token: the padding
after it cannot change that result. Running only up to the longest text's end gives the same
vectors for a fraction of the work (a short query is about 8 tokens). A model built otherwise
(another pooling, no causal mask, a Hugging Face tower) runs open_clip's own `encode_text`.
"""

from __future__ import annotations

from typing import Any


def encode_text(model: Any, tokens: Any) -> Any:
    """Text features, as `model.encode_text(tokens)` gives them (not normalised)."""
    if not trimmable(model):
        return model.encode_text(tokens)
    import torch
    from open_clip.transformer import text_global_pool

    holds_text = (tokens != 0).any(dim=0).nonzero()
    length = int(holds_text.max()) + 1 if len(holds_text) else 1
    tokens = tokens[:, :length]
    cast_dtype = model.transformer.get_cast_dtype()
    x = model.token_embedding(tokens).to(cast_dtype)
    x = x + model.positional_embedding[:length].to(cast_dtype)
    x = model.transformer(x, attn_mask=model.attn_mask[:length, :length])
    x = model.ln_final(x)
    x = text_global_pool(x, tokens, model.text_pool_type, eos_token_id=getattr(model, "text_eos_id", None))
    projection = model.text_projection
    if projection is None:
        return x
    return projection(x) if isinstance(projection, torch.nn.Linear) else x @ projection


def trimmable(model: Any) -> bool:
    """Whether `model` is open_clip's own CLIP with a causal text tower pooled at the end token
    (the case `encode_text` mirrors)."""
    import torch
    from open_clip.model import CLIP

    mask = getattr(model, "attn_mask", None)
    return (
        type(model).encode_text is CLIP.encode_text
        and getattr(model, "text_pool_type", None) == "argmax"
        and isinstance(mask, torch.Tensor)
        and mask.dim() == 2
        and bool(torch.isinf(mask[0, -1]))  # position 0 cannot see the last: causal
    )
