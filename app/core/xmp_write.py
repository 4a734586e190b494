"""What this library decided about a photo, written into its XMP sidecar the way digiKam and
Lightroom read it: xmp:Rating (-1 rejected), digiKam:PickLabel (3 a favourite, 1 rejected),
dc:subject (each tag's last part), lr:hierarchicalSubject ("Family|Anna"), digiKam:TagsList
("Family/Anna") and people's names as MWG face regions. An existing sidecar is merged: these
properties are replaced, every other one another app wrote is kept as it was."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.etree import ElementTree as Tree
from xml.etree.ElementTree import Element, SubElement

from app.core.xmp_read import NS, FaceRegion, XmpError

OURS = (
    ("xmp", "Rating"),
    ("digiKam", "PickLabel"),
    ("dc", "subject"),
    ("lr", "hierarchicalSubject"),
    ("digiKam", "TagsList"),
    ("mwg-rs", "Regions"),
)
WRITER = "Photo Organizer"


@dataclass(frozen=True)
class Decisions:
    stars: int = 0
    favourite: bool = False
    rejected: bool = False
    tags: tuple[str, ...] = ()  # hierarchical by "/"
    faces: tuple[FaceRegion, ...] = ()  # people named here, where their faces are
    size: tuple[int, int] = (0, 0)  # the photo's width and height (MWG regions say what they apply to)


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _namespaces(data: bytes) -> dict[str, str]:
    """The prefixes the sidecar itself uses, so that what we keep is written as it was."""
    import defusedxml.ElementTree as SafeTree

    found: dict[str, str] = {}
    for _event, (prefix, uri) in SafeTree.iterparse(io.BytesIO(data), events=("start-ns",)):
        found.setdefault(prefix, uri)
    return found


def sidecar_with(existing: bytes | None, decisions: Decisions) -> bytes:
    """The sidecar's new bytes: `existing` (None: a new sidecar) with our properties set."""
    import defusedxml.ElementTree as SafeTree
    from defusedxml import DefusedXmlException

    prefixes = dict(NS)
    if existing:
        try:
            root = SafeTree.fromstring(existing)
            prefixes.update({p: u for p, u in _namespaces(existing).items() if p and u not in prefixes.values()})
        except (DefusedXmlException, SyntaxError, ValueError) as error:
            raise XmpError(f"the sidecar cannot be read safely, so it is left as it is: {error}") from None
    else:
        root = Element(_q("x", "xmpmeta"))
    if root.tag != _q("x", "xmpmeta"):
        raise XmpError("the sidecar is not XMP (no x:xmpmeta)")
    rdf = root.find(_q("rdf", "RDF"))
    if rdf is None:
        rdf = SubElement(root, _q("rdf", "RDF"))
    for description in rdf.findall(_q("rdf", "Description")):
        for prefix, name in OURS:
            description.attrib.pop(_q(prefix, name), None)
            for child in description.findall(_q(prefix, name)):
                description.remove(child)
        if not len(description) and set(description.attrib) <= {_q("rdf", "about")}:
            rdf.remove(description)  # nothing of anyone's left in it
    rdf.append(_ours(decisions))
    for prefix, uri in prefixes.items():
        Tree.register_namespace(prefix, uri)
    root.set(_q("x", "xmptk"), root.get(_q("x", "xmptk")) or WRITER)
    body = Tree.tostring(root, encoding="unicode")
    return f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n{body}\n<?xpacket end="w"?>\n'.encode()


def _ours(decisions: Decisions) -> Element:
    description = Element(_q("rdf", "Description"), {_q("rdf", "about"): ""})
    rating = -1 if decisions.rejected else decisions.stars
    SubElement(description, _q("xmp", "Rating")).text = str(rating)
    pick = 1 if decisions.rejected else 3 if decisions.favourite else 0
    SubElement(description, _q("digiKam", "PickLabel")).text = str(pick)
    if decisions.tags:
        _list(description, "dc", "subject", "Bag", list(dict.fromkeys(t.rsplit("/", 1)[-1] for t in decisions.tags)))
        _list(description, "lr", "hierarchicalSubject", "Bag", [t.replace("/", "|") for t in decisions.tags])
        _list(description, "digiKam", "TagsList", "Seq", list(decisions.tags))
    if decisions.faces:
        _regions(description, decisions)
    return description


def _list(parent: Element, prefix: str, name: str, kind: str, items: list[str]) -> None:
    container = SubElement(SubElement(parent, _q(prefix, name)), _q("rdf", kind))
    for item in items:
        SubElement(container, _q("rdf", "li")).text = item


def _regions(parent: Element, decisions: Decisions) -> None:
    resource = {_q("rdf", "parseType"): "Resource"}
    regions = SubElement(parent, _q("mwg-rs", "Regions"), resource)
    applied = SubElement(regions, _q("mwg-rs", "AppliedToDimensions"), resource)
    width, height = decisions.size
    SubElement(applied, _q("stDim", "w")).text = str(width)
    SubElement(applied, _q("stDim", "h")).text = str(height)
    SubElement(applied, _q("stDim", "unit")).text = "pixel"
    bag = SubElement(SubElement(regions, _q("mwg-rs", "RegionList")), _q("rdf", "Bag"))
    for face in decisions.faces:
        item = SubElement(bag, _q("rdf", "li"), resource)
        area = SubElement(item, _q("mwg-rs", "Area"), resource)
        x0, y0, x1, y1 = face.box
        for key, value in (("x", (x0 + x1) / 2), ("y", (y0 + y1) / 2), ("w", x1 - x0), ("h", y1 - y0)):
            SubElement(area, _q("stArea", key)).text = f"{value:.6f}"
        SubElement(area, _q("stArea", "unit")).text = "normalized"
        SubElement(item, _q("mwg-rs", "Name")).text = face.name
        SubElement(item, _q("mwg-rs", "Type")).text = "Face"
