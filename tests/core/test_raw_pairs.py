"""RAW+JPEG pairs found from paths alone (no catalog): one RAW and one JPEG or HEIF beside it
with the same name; anything ambiguous is no pair."""

from __future__ import annotations

from app.analysis.keeper import Candidate, keep_same
from app.core.raw_pairs import find_pairs, partner_names, partners


def test_a_raw_and_the_jpeg_beside_it_are_one_shot():
    pairs = find_pairs(
        [
            (1, "/card/DCIM/IMG_2001.CR3"),
            (2, "/card/DCIM/IMG_2001.JPG"),
            (3, "/card/DCIM/IMG_2002.jpg"),  # a JPEG alone
            (4, "/card/DCIM/IMG_2003.NEF"),  # a RAW alone
            (5, "/card/DCIM/DSC_0009.nef"),
            (6, "/card/DCIM/DSC_0009.heic"),  # a HEIF partner, extensions in any case
        ]
    )
    assert pairs.raw_of == {2: (1, "/card/DCIM/IMG_2001.CR3"), 6: (5, "/card/DCIM/DSC_0009.nef")}
    assert pairs.raws == {1: 2, 5: 6}
    assert pairs.shown_path == {2: "/card/DCIM/IMG_2001.JPG", 6: "/card/DCIM/DSC_0009.heic"}


def test_ambiguous_or_distant_files_are_no_pair():
    assert not find_pairs([(1, "/a/IMG_1.CR3"), (2, "/b/IMG_1.JPG")]), "another folder"
    assert not find_pairs([(1, "/a/IMG_1.CR3"), (2, "/a/IMG_1.JPG"), (3, "/a/IMG_1.HEIC")]), "two JPEGs: which?"
    assert not find_pairs([(1, "/a/IMG_1.CR3"), (2, "/a/IMG_1.DNG"), (3, "/a/IMG_1.JPG")]), "two RAWs"
    assert not find_pairs([(1, "/a/IMG_1.CR3"), (1, "/a/IMG_1.JPG")]), "one image under two names"
    assert not find_pairs([(1, "/a/IMG_1.CR3"), (2, "/a/IMG_1.png")]), "a PNG is an export, not the camera's"
    assert not find_pairs([(1, "/a/IMG_1.CR3"), (2, "/a/IMG_1 copy.JPG")])


def test_partners_and_the_range_their_paths_fall_in():
    assert partners(["/a/IMG_1.CR3"], ["/x/other.jpg", "/a/IMG_1.jpg"])
    assert not partners(["/a/IMG_1.jpg"], ["/a/IMG_1.jpeg"]), "two JPEGs are not a RAW and its JPEG"
    assert not partners(["/a/IMG_1.CR3"], ["/a/IMG_10.jpg"])
    low, high = partner_names("/a/IMG_1.CR3")
    assert low <= "/a/IMG_1.JPG" < high and not (low <= "/a/IMG_10.JPG" < high)
    assert partner_names("/a/notes.txt") is None


def test_the_keeper_keeps_the_raw_over_a_larger_jpeg_made_from_it():
    raw = Candidate("/a/IMG_1.CR3", 6000, 4000, 30_000_000, "CR3", True)
    export = Candidate("/b/IMG_1 upscaled.jpg", 8000, 6000, 12_000_000, "JPEG", True)
    best, why = keep_same([export, raw])
    assert best == 1 and why == "the camera's RAW (CR3)"
