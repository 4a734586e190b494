"""Names a person taught the library, as learned word vectors inside CLIP's text tower
(textual inversion).

Each name in a sentence is replaced by one marker token, and the marker's input embedding is
swapped for the name's learned vector by a hook on the token embedding; the rest of the
sentence goes through the tower as it always did. So "Rex on the beach" composes, and a
sentence holding no taught name gives exactly the vector it gave before anything was taught.
Names match whole words in any case ("Rex" is not found in "Rexford").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.names import name_pattern
from app.ml.text_tower import encode_text

# Rare single-token words; the first one the tokenizer keeps whole and the sentence does not
# already hold marks where the names were.
MARKER_CANDIDATES = ("sks", "zwx", "qzv", "xjq", "vbx", "kqj", "zxv", "jqz")


def find_names(text: str, names: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, name) of each taught name in `text`, in order; longer names win where two
    overlap ("the cabin" over "cabin")."""
    taken: list[tuple[int, int, str]] = []
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        for match in name_pattern(name).finditer(text):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, name))
    return sorted(taken)


@dataclass
class _Substitution:
    rows: Any  # long tensor: which sentence
    cols: Any  # long tensor: which token position
    vectors: Any  # (k, width) tensor: what goes there


def with_markers(
    texts: Sequence[str], names: Sequence[str], markers: Mapping[str, int]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Each text with its taught names replaced by one marker word it does not already hold,
    and per text the marker's token id (-1: none) with the names it stands for, in order."""
    rewritten: list[str] = []
    marker_of_text: list[tuple[int, list[str]]] = []
    for text in texts:
        found = find_names(text, names) if names else []
        marker = next((m for m in markers if not re.search(rf"(?<!\w){m}(?!\w)", text, re.I)), None) if found else None
        if marker is None:
            rewritten.append(text)
            marker_of_text.append((-1, []))
            continue
        parts, last = [], 0
        for start, end, _name in found:
            parts += [text[last:start], f" {marker} "]
            last = end
        rewritten.append("".join(parts) + text[last:])
        marker_of_text.append((markers[marker], [n for _, _, n in found]))
    return rewritten, marker_of_text


class NamedTextEncoder:
    """The text side of one open_clip model, able to read taught names. Thread-safe: what a
    call substitutes lives in thread-local state, so a search never sees a training step's."""

    def __init__(self, model: Any, tokenizer: Any, device: str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.embedding = token_embedding_of(model)
        self._local = threading.local()
        self.embedding.register_forward_hook(self._substitute)
        ids = {m: self._single_token(m) for m in MARKER_CANDIDATES}
        self.markers = {m: i for m, i in ids.items() if i is not None}
        if not self.markers:
            raise ValueError("the tokenizer has no single-token marker word")

    @property
    def width(self) -> int:
        return int(self.embedding.weight.shape[1])

    def _single_token(self, word: str) -> int | None:
        """The id of `word` where the tokenizer keeps it as one token, else None."""
        with_word = [t for t in self.tokenizer([f"a {word} b"])[0].tolist() if t]
        without = [t for t in self.tokenizer(["a b"])[0].tolist() if t]
        extra = [t for t in with_word if t not in without]
        return extra[0] if len(with_word) == len(without) + 1 and len(extra) == 1 else None

    def word_vector(self, word: str) -> np.ndarray:
        """The input embedding of a word's first token (where a name's vector starts)."""
        tokens = self.tokenizer([word])[0].tolist()
        plain = set(self.tokenizer([""])[0].tolist())
        first = next((t for t in tokens if t not in plain), tokens[1])
        return self.embedding.weight[first].detach().float().cpu().numpy().copy()

    def typical_norm(self) -> float:
        """The largest norm among ordinary word vectors: a learned vector stays within it, so a
        name never drowns the words around it."""
        import torch

        norms = torch.linalg.vector_norm(self.embedding.weight.detach().float(), dim=1)
        return float(torch.quantile(norms[: min(len(norms), 40000)], 0.99))

    def _substitute(self, _module: Any, _inputs: Any, output: Any) -> Any:
        substitution: _Substitution | None = getattr(self._local, "substitution", None)
        if substitution is None:
            return None
        output = output.clone()
        output[substitution.rows, substitution.cols] = substitution.vectors.to(output.dtype)
        return output

    def tokens_with_names(self, texts: Sequence[str], vectors: Mapping[str, Any]) -> tuple[Any, _Substitution | None]:
        """Tokens of `texts` with each taught name as a marker, and what the markers become.
        `vectors` map names to learned vectors (numpy arrays or tensors, which keep their
        gradients)."""
        import torch

        rows: list[int] = []
        cols: list[int] = []
        chosen: list[Any] = []
        rewritten, marker_of_text = with_markers(texts, list(vectors), self.markers)
        tokens = self.tokenizer(rewritten).to(self.device)
        for row, (marker_id, found_names) in enumerate(marker_of_text):
            if marker_id < 0:
                continue
            positions = (tokens[row] == marker_id).nonzero().flatten().tolist()
            for col, name in zip(positions, found_names, strict=False):  # a long text may lose its tail
                rows.append(row)
                cols.append(col)
                chosen.append(vectors[name])
        if not rows:
            return tokens, None
        stacked = torch.stack(
            [v if isinstance(v, torch.Tensor) else torch.as_tensor(np.asarray(v, np.float32)) for v in chosen]
        ).to(self.device)
        index = torch.tensor(rows, device=self.device), torch.tensor(cols, device=self.device)
        return tokens, _Substitution(index[0], index[1], stacked)

    def encode(self, texts: Sequence[str], vectors: Mapping[str, Any]) -> Any:
        """Text features (not normalised) with the taught names read as their vectors; runs
        under whatever grad or inference mode the caller chose."""
        tokens, substitution = self.tokens_with_names(texts, vectors)
        self._local.substitution = substitution
        try:
            return encode_text(self.model, tokens)
        finally:
            self._local.substitution = None


def token_embedding_of(model: Any) -> Any:
    """The word embedding table of an open_clip text tower, or ValueError where it has none
    (a Hugging Face text tower)."""
    import torch

    for owner in (model, getattr(model, "text", None)):
        embedding = getattr(owner, "token_embedding", None)
        if isinstance(embedding, torch.nn.Embedding):
            return embedding
    raise ValueError("this model's text tower has no word embedding table")
