"""COCO class names (what torchvision's detectors predict) grouped into the super-categories
people search by. COCO's own grouping is kept, except that its "appliance" joins "kitchen"
and its "indoor" odds and ends join "accessory"."""

from __future__ import annotations

SUPER_CATEGORIES: dict[str, tuple[str, ...]] = {
    "person": ("person",),
    "vehicle": ("bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat"),
    "outdoor": ("traffic light", "fire hydrant", "street sign", "stop sign", "parking meter", "bench"),
    "animal": ("bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"),
    "accessory": (
        "hat",
        "backpack",
        "umbrella",
        "shoe",
        "eye glasses",
        "handbag",
        "tie",
        "suitcase",
        "book",
        "clock",
        "vase",
        "scissors",
        "teddy bear",
        "hair drier",
        "toothbrush",
        "hair brush",
    ),
    "sports": (
        "frisbee",
        "skis",
        "snowboard",
        "sports ball",
        "kite",
        "baseball bat",
        "baseball glove",
        "skateboard",
        "surfboard",
        "tennis racket",
    ),
    "kitchen": (
        "bottle",
        "plate",
        "wine glass",
        "cup",
        "fork",
        "knife",
        "spoon",
        "bowl",
        "microwave",
        "oven",
        "toaster",
        "sink",
        "refrigerator",
        "blender",
    ),
    "food": ("banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake"),
    "furniture": (
        "chair",
        "couch",
        "potted plant",
        "bed",
        "mirror",
        "dining table",
        "window",
        "desk",
        "toilet",
        "door",
    ),
    "electronics": ("tv", "laptop", "mouse", "remote", "keyboard", "cell phone"),
}

_BY_NAME = {name: group for group, names in SUPER_CATEGORIES.items() for name in names}


def super_category(name: str) -> str | None:
    """The group of a COCO class name, or None for the background and unused ("N/A") slots."""
    return _BY_NAME.get(name.strip().lower())
