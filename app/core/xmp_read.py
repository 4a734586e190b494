"""What other photo apps decided about a photo, read from its XMP: the rating (xmp:Rating, or
Microsoft's percent), keywords (dc:subject), hierarchical tags (Lightroom's lr:hierarchicalSubject
"Family|Anna", digiKam's TagsList "Family/Anna"), the colour label (xmp:Label), the description
(dc:description), and named face regions in the MWG (mwg-rs:Regions) and Microsoft
(MP:RegionInfo) forms. XMP comes from the file itself (an `<x:xmpmeta>` packet anywhere in its
first megabytes, as JPEG, PNG, TIFF, HEIC and RAW files embed it) or from a sidecar beside it
(`NAME.EXT.xmp` as digiKam and darktable write, `NAME.xmp` as Lightroom). Untrusted XML is
parsed by defusedxml: no entity expansion, no external references."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "digiKam": "http://www.digikam.org/ns/1.0/",
    "MicrosoftPhoto": "http://ns.microsoft.com/photo/1.0/",
    "mwg-rs": "http://www.metadataworkinggroup.com/schemas/regions/",
    "stArea": "http://ns.adobe.com/xmp/sType/Area#",
    "stDim": "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
    "MP": "http://ns.microsoft.com/photo/1.2/",
    "MPRI": "http://ns.microsoft.com/photo/1.2/t/RegionInfo#",
    "MPReg": "http://ns.microsoft.com/photo/1.2/t/Region#",
}
PACKET_START, PACKET_END = b"<x:xmpmeta", b"</x:xmpmeta>"
SCAN_BYTES = 8 << 20  # where embedded XMP lives: near the start (a RAW's or a video's may be past it)
LARGEST_SIDECAR = 4 << 20


class XmpError(ValueError):
    """XMP that cannot be read safely (malformed, or a bomb of entities)."""


@dataclass(frozen=True)
class FaceRegion:
    name: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1, relative to the photo


@dataclass(frozen=True)
class XmpFacts:
    rating: int | None = None  # 0-5; -1 is "rejected" in Lightroom and digiKam
    pick: int | None = None  # digiKam's pick label: 3 accepted (a favourite here), 1 rejected
    tags: tuple[str, ...] = ()  # hierarchical with "/" ("Family/Anna"), keywords as they are
    label: str | None = None
    description: str | None = None
    faces: tuple[FaceRegion, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        said = (self.rating, self.pick, self.label, self.description)
        return all(v is None for v in said) and not self.tags and not self.faces


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def packet_in(data: bytes) -> bytes | None:
    """The XMP packet embedded in a file's first megabytes, if any (found without copying)."""
    start = data.find(PACKET_START, 0, SCAN_BYTES)
    if start < 0:
        return None
    end = data.find(PACKET_END, start, start + LARGEST_SIDECAR)
    return bytes(data[start : end + len(PACKET_END)]) if end >= 0 else None


def sidecars_of(path: str | Path) -> list[Path]:
    """The sidecars that may describe a photo: NAME.EXT.xmp (digiKam, darktable), then NAME.xmp
    (Lightroom), in any case of the suffix."""
    photo = Path(path)
    found = []
    for candidate in (photo.with_name(photo.name + ".xmp"), photo.with_suffix(".xmp")):
        for spelled in (candidate, candidate.with_suffix(".XMP")):
            if spelled.is_file() and spelled not in found:
                found.append(spelled)
                break
    return found


def read_file_xmp(path: str | Path, head: bytes | None = None) -> XmpFacts:
    """A photo's XMP: its sidecar's where there is one (what the person's other app last
    wrote), merged over what the file embeds. Unreadable XMP counts as none."""
    facts = XmpFacts()
    try:
        if head is None:
            with open(path, "rb") as handle:
                head = handle.read(SCAN_BYTES)
        packet = packet_in(head)
        if packet is not None:
            facts = parse_xmp(packet)
    except (OSError, XmpError):
        pass
    for sidecar in sidecars_of(path):
        try:
            if os.path.getsize(sidecar) <= LARGEST_SIDECAR:
                facts = merged(facts, parse_xmp(sidecar.read_bytes()))
        except (OSError, XmpError):
            continue
    return facts


def merged(under: XmpFacts, over: XmpFacts) -> XmpFacts:
    return XmpFacts(
        over.rating if over.rating is not None else under.rating,
        over.pick if over.pick is not None else under.pick,
        tuple(dict.fromkeys((*under.tags, *over.tags))),
        over.label or under.label,
        over.description or under.description,
        over.faces or under.faces,
    )


def parse_xmp(data: bytes) -> XmpFacts:
    import defusedxml.ElementTree as SafeTree
    from defusedxml import DefusedXmlException

    try:
        root = SafeTree.fromstring(data)
    except (DefusedXmlException, SyntaxError, ValueError) as error:  # ParseError is a SyntaxError
        raise XmpError(f"the XMP cannot be read safely: {error}") from None
    descriptions = list(root.iter(_q("rdf", "Description")))
    rating = _rating(descriptions)
    tags = _tags(descriptions)
    label = _first_text(descriptions, "xmp", "Label")
    description = _alt_text(descriptions, "dc", "description")
    faces = (*_mwg_faces(root), *_microsoft_faces(root))
    pick = _first_text(descriptions, "digiKam", "PickLabel")
    chosen = int(pick) if pick is not None and pick.strip().isdigit() else None
    return XmpFacts(rating, chosen, tags, label, description, tuple(dict.fromkeys(faces)))


def _values(node: Element, prefix: str, name: str) -> list[str]:
    """A property's values on one rdf:Description: an attribute, a simple element, or the
    items of an rdf:Bag, rdf:Seq or rdf:Alt."""
    key = _q(prefix, name)
    if key in node.attrib:
        return [node.attrib[key]]
    found: list[str] = []
    for child in node.findall(key):
        items = [li.text or "" for li in child.iter(_q("rdf", "li"))]
        found.extend(items if items else [child.text or ""])
    return [v.strip() for v in found if v and v.strip()]


def _first_text(descriptions: list[Element], prefix: str, name: str) -> str | None:
    for node in descriptions:
        values = _values(node, prefix, name)
        if values:
            return values[0]
    return None


def _alt_text(descriptions: list[Element], prefix: str, name: str) -> str | None:
    """An rdf:Alt's x-default item (else its first)."""
    for node in descriptions:
        for child in node.findall(_q(prefix, name)):
            items = list(child.iter(_q("rdf", "li")))
            lang = "{http://www.w3.org/XML/1998/namespace}lang"
            chosen = next((li for li in items if li.get(lang) == "x-default"), items[0] if items else None)
            if chosen is not None and chosen.text and chosen.text.strip():
                return chosen.text.strip()
    return None


def _rating(descriptions: list[Element]) -> int | None:
    text = _first_text(descriptions, "xmp", "Rating")
    if text is not None:
        try:
            value = float(text)
        except ValueError:
            return None
        return int(max(-1, min(5, round(value)))) if math.isfinite(value) else None
    percent = _first_text(descriptions, "MicrosoftPhoto", "Rating")  # 1, 25, 50, 75, 99
    try:
        value = float(percent) if percent is not None else math.nan
    except ValueError:
        return None
    return {0: 0, 1: 1, 25: 2, 50: 3, 75: 4, 99: 5, 100: 5}.get(int(value)) if math.isfinite(value) else None


def _tags(descriptions: list[Element]) -> tuple[str, ...]:
    hierarchical: list[str] = []
    for node in descriptions:
        hierarchical += [v.replace("|", "/") for v in _values(node, "lr", "hierarchicalSubject")]
        hierarchical += _values(node, "digiKam", "TagsList")
    keywords = [k for node in descriptions for k in _values(node, "dc", "subject")]
    leaves = {t.rsplit("/", 1)[-1].casefold() for t in hierarchical}
    plain = [k for k in keywords if k.casefold() not in leaves]  # "Anna" is already Family/Anna
    cleaned = ["/".join(part.strip() for part in t.split("/") if part.strip()) for t in (*hierarchical, *plain)]
    return tuple(dict.fromkeys(t for t in cleaned if t))


def _number(node: Element, prefix: str, name: str) -> float | None:
    values = _values(node, prefix, name)
    try:
        value = float(values[0]) if values else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _resources(root: Element) -> list[Element]:
    """Every node that holds properties: rdf:Description, and the items and properties written
    with rdf:parseType="Resource" (as exiftool writes regions)."""
    return [*root.iter(_q("rdf", "Description")), *root.iter(_q("rdf", "li"))]


def _resource(node: Element) -> Element:
    inner = node.find(_q("rdf", "Description"))
    return inner if inner is not None else node


def _mwg_faces(root: Element) -> list[FaceRegion]:
    """MWG regions (digiKam, Lightroom, Picasa): a name, and an area by its centre."""
    faces = []
    for region in map(_resource, _resources(root)):
        names = _values(region, "mwg-rs", "Name")
        kind = (_values(region, "mwg-rs", "Type") or ["Face"])[0]
        area = region.find(_q("mwg-rs", "Area"))
        if not names or kind != "Face" or area is None:
            continue
        area = _resource(area)
        parts = [_number(area, "stArea", k) for k in ("x", "y", "w", "h")]
        if any(p is None for p in parts):
            continue
        x, y, w, h = (float(p) for p in parts)  # type: ignore[arg-type]
        box = _box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        if box is not None:
            faces.append(FaceRegion(names[0], box))
    return faces


def _microsoft_faces(root: Element) -> list[FaceRegion]:
    """Microsoft's regions (Windows Photo Gallery): a name, and a rectangle from its corner."""
    faces = []
    for region in map(_resource, _resources(root)):
        names = _values(region, "MPReg", "PersonDisplayName")
        rectangle = _values(region, "MPReg", "Rectangle")
        if not names or not rectangle:
            continue
        try:
            x, y, w, h = (float(v) for v in rectangle[0].split(","))
        except ValueError:
            continue
        box = _box(x, y, x + w, y + h)
        if box is not None:
            faces.append(FaceRegion(names[0], box))
    return faces


def _box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float] | None:
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or x1 <= x0 or y1 <= y0:
        return None
    clamp = [min(1.0, max(0.0, v)) for v in (x0, y0, x1, y1)]
    return (clamp[0], clamp[1], clamp[2], clamp[3]) if clamp[2] > clamp[0] and clamp[3] > clamp[1] else None
