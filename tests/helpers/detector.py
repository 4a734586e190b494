"""A small real detector for tests: a torch module with torchvision's detection interface that
finds solid colour blocks. Red is a dog, blue a person, yellow a car (at a low score), green an
unused COCO slot ("N/A"); each block's box is where that colour is."""

from __future__ import annotations

import torch
from torch import nn

COCO_DOG, COCO_PERSON, COCO_CAR, COCO_UNUSED = 18, 1, 3, 12
# (R, G, B) weights and bias of a 1x1 convolution that is positive only on that colour
COLOURS = {
    "red": ((1.0, -1.0, -1.0), -0.4, COCO_DOG, 0.9),
    "blue": ((-1.0, -1.0, 1.0), -0.4, COCO_PERSON, 0.8),
    "yellow": ((1.0, 1.0, -2.0), -1.0, COCO_CAR, 0.3),
    "green": ((-1.0, 1.0, -1.0), -0.4, COCO_UNUSED, 0.95),
}
RGB = {"red": (220, 30, 30), "blue": (30, 40, 220), "yellow": (235, 220, 20), "green": (30, 200, 40)}


class ColourBlockDetector(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.masks = nn.Conv2d(3, len(COLOURS), kernel_size=1)
        with torch.no_grad():
            for i, (weights, bias, _, _) in enumerate(COLOURS.values()):
                self.masks.weight[i, :, 0, 0] = torch.tensor(weights)
                self.masks.bias[i] = bias
        self.register_buffer("labels", torch.tensor([c[2] for c in COLOURS.values()]))
        self.register_buffer("scores", torch.tensor([c[3] for c in COLOURS.values()]))

    def forward(self, images: list[torch.Tensor]) -> list[dict[str, torch.Tensor]]:
        out = []
        for image in images:
            on = self.masks(image[None])[0] > 0
            boxes, labels, scores = [], [], []
            for i in range(on.shape[0]):
                ys, xs = torch.nonzero(on[i], as_tuple=True)
                if len(xs) < 16:
                    continue
                boxes.append(torch.stack([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]).float())
                labels.append(self.labels[i])
                scores.append(self.scores[i])
            out.append(
                {
                    "boxes": torch.stack(boxes) if boxes else torch.zeros((0, 4)),
                    "labels": torch.stack(labels) if labels else torch.zeros((0,), dtype=torch.int64),
                    "scores": torch.stack(scores) if scores else torch.zeros((0,)),
                }
            )
        return out


def coco_categories() -> list[str]:
    import torchvision

    return torchvision.models.get_model_weights("fasterrcnn_resnet50_fpn").DEFAULT.meta["categories"]
