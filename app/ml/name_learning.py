"""Learning one name's word vector from a few example photos (textual inversion).

Only the name's vector is trained; the model and every stored image vector stay as they are.
The loss is the CLIP paper's symmetric contrastive loss over a batch of the examples mixed 1:1
with background photos of the library, each paired with its caption (the vocabulary concept it
matches best): the examples pull "a photo of NAME" towards them, the background photos push it
away from everything else. Captions that repeat in a batch count as positives of every photo
they belong to (soft targets), as the loss needs when two photos share a caption.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.errors import CancelledError
from app.ml.taught_text import NamedTextEncoder

# The app's query template first (a search for NAME reads "a photo of NAME"), then a few others
# so that the name also works inside other sentences.
TEMPLATES = (
    "a photo of {}",
    "{}",
    "a picture of {}",
    "a close-up photo of {}",
    "a photo of the {}",
    "a good photo of {}",
)
TEMPLATES_PER_STEP = 3

StepProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class LearningSet:
    """What a name is learned from: its examples' image vectors, and background image vectors
    with their captions (already embedded)."""

    examples: np.ndarray  # (n, d), unit rows
    background: np.ndarray  # (m, d), unit rows
    background_text: np.ndarray  # (m, d), unit rows: each background photo's caption
    start: np.ndarray  # the word vector learning starts from (input-embedding width)
    logit_scale: float  # the model's, for the contrastive loss


@dataclass(frozen=True)
class LearningOptions:
    steps: int = 120
    learning_rate: float = 0.02
    seed: int = 0


def learn_name_vector(
    encoder: NamedTextEncoder,
    name: str,
    data: LearningSet,
    options: LearningOptions = LearningOptions(),
    progress: StepProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> np.ndarray:
    """The learned word vector of `name` (input-embedding width), starting from `data.start`.
    Raises CancelledError when `should_stop` says so between steps."""
    import torch
    import torch.nn.functional as F

    generator = np.random.default_rng(options.seed)
    device = encoder.device
    vector = torch.nn.Parameter(torch.as_tensor(np.asarray(data.start, np.float32)).to(device).clone())
    optimiser = torch.optim.Adam([vector], lr=options.learning_rate)
    max_norm = encoder.typical_norm()
    examples = torch.as_tensor(data.examples, device=device)
    background = torch.as_tensor(data.background, device=device)
    background_text = torch.as_tensor(data.background_text, device=device)
    n = len(examples)
    texts = [t.format(name) for t in TEMPLATES]
    for step in range(options.steps):
        if should_stop is not None and should_stop():
            raise CancelledError("teaching was cancelled")
        chosen = [texts[0], *generator.choice(texts[1:], TEMPLATES_PER_STEP - 1, replace=False)]
        picked = generator.choice(len(background), min(n, len(background)), replace=False)
        name_text = F.normalize(encoder.encode(chosen, {name: vector}).float(), dim=-1)
        images = torch.cat([examples, background[picked]])
        captions = torch.cat([name_text, background_text[picked]])
        # Image i matches text j when both are the name's, or j is i's own caption.
        targets = torch.zeros(len(images), len(captions), device=device)
        targets[:n, : len(chosen)] = 1.0
        own = torch.arange(len(picked), device=device)
        targets[n + own, len(chosen) + own] = 1.0
        logits = data.logit_scale * images @ captions.T
        loss = (_soft_cross_entropy(logits, targets) + _soft_cross_entropy(logits.T, targets.T)) / 2
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            norm = torch.linalg.vector_norm(vector)
            if norm > max_norm:
                vector.mul_(max_norm / norm)
        if progress is not None:
            progress(step + 1, options.steps)
    return vector.detach().float().cpu().numpy().copy()


def _soft_cross_entropy(logits: Any, targets: Any) -> Any:
    """Cross-entropy against targets spread evenly over each row's positives."""
    import torch.nn.functional as F

    weights = targets / targets.sum(dim=1, keepdim=True).clamp_min(1.0)
    return -(F.log_softmax(logits, dim=1) * weights).sum(dim=1).mean()
