"""The command line's arguments (the contract in DESIGN.md)."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import NoReturn

from app import __version__


def _add_common(parser: argparse.ArgumentParser, model: bool = False) -> None:
    parser.add_argument(
        "--library",
        type=Path,
        default=None,
        help="library folder (default: $PHOTO_ORGANIZER_LIBRARY or the user data folder)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    if model:
        parser.add_argument(
            "--model",
            default=None,
            help="open_clip model: architecture, hf-hub:org/repo or local-dir:/path (default: the library's, else $PHOTO_ORGANIZER_MODEL, else ViT-B-32)",
        )
        parser.add_argument(
            "--pretrained",
            default=None,
            help="pretrained tag, or 'random' (default: $PHOTO_ORGANIZER_PRETRAINED, else laion2b_s34b_b79k)",
        )
        parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where the model runs")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folder", type=Path, default=None, help="only photos below this folder")
    parser.add_argument("--after", default=None, metavar="DATE", help="only photos taken on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--before", default=None, metavar="DATE", help="only photos taken on or before DATE")
    parser.add_argument("--type", default=None, metavar="TYPES", help="only these file types, e.g. jpeg,png")
    parser.add_argument("--event", type=int, default=None, metavar="ID", help="only photos of this event (see: events)")
    parser.add_argument(
        "--place", default=None, metavar="NAME", help="only photos taken in this city, region or country (see: places)"
    )
    parser.add_argument("--album", default=None, metavar="NAME", help="only photos in this album or those inside it")
    parser.add_argument("--tag", default=None, metavar="TAG", help="only photos with this tag or a tag below it")
    parser.add_argument("--min-stars", type=int, default=None, metavar="N", help="only photos with at least N stars")
    parser.add_argument("--favourites", action="store_true", help="only favourites")
    parser.add_argument("--rejected", action="store_true", help="only rejected photos")


def _add_organising(sub: argparse._SubParsersAction) -> None:
    """Albums, stars, favourites, rejects and tags."""
    album = sub.add_parser(
        "album",
        help="albums: create NAME | add NAME PATH... | remove NAME PATH... | rename OLD NEW | delete NAME "
        "(nested by /: Trips/Lisbon)",
    )
    album.add_argument("action", choices=["create", "add", "remove", "rename", "delete"])
    album.add_argument("name", metavar="NAME")
    album.add_argument("paths", nargs="*", metavar="PATH", help="photos, or folders for every photo below them")
    _add_common(album)
    albums = sub.add_parser("albums", help="the albums, with how many photos each holds")
    _add_common(albums)
    rate = sub.add_parser("rate", help="give photos 0 to 5 stars: rate PATH... --stars N")
    rate.add_argument("paths", nargs="+", metavar="PATH")
    rate.add_argument("--stars", type=int, required=True, metavar="N", help="0 to 5 (0 takes the stars away)")
    _add_common(rate)
    for command, what in (("favourite", "mark photos as favourites"), ("reject", "mark photos as rejected")):
        marking = sub.add_parser(command, help=f"{what} (--off takes the mark away)")
        marking.add_argument("paths", nargs="+", metavar="PATH")
        marking.add_argument("--off", action="store_true", help="take the mark away")
        _add_common(marking)
    tag = sub.add_parser("tag", help="tag add|remove TAG PATH... (nested by /: Family/Anna)")
    tag.add_argument("action", choices=["add", "remove"])
    tag.add_argument("tag", metavar="TAG")
    tag.add_argument("paths", nargs="+", metavar="PATH")
    _add_common(tag)
    tags = sub.add_parser("tags", help="the tags, with how many photos each has")
    _add_common(tags)
    export = sub.add_parser(
        "export", help="copy photos to a folder: export DEST (--album NAME | PATH...) [--size PX] (originals untouched)"
    )
    export.add_argument("destination", metavar="DEST", help="the folder to copy into (made if missing)")
    export.add_argument("paths", nargs="*", metavar="PATH", help="photos, or folders for every photo below them")
    export.add_argument("--album", default=None, metavar="NAME", help="every photo of this album")
    export.add_argument(
        "--size", type=int, default=None, metavar="PX", help="resized JPEGs this long on their long side (EXIF kept)"
    )
    _add_common(export)
    memories = sub.add_parser("memories", help="on this day in earlier years, and the last weeks' events")
    memories.add_argument(
        "--date", default=None, metavar="YYYY-MM-DD", help="the day to remember from (default: today)"
    )
    _add_common(memories)
    sidecars = sub.add_parser(
        "sidecars",
        help="XMP sidecars for other photo apps: status (what waits, what failed) | write [PATH...]",
    )
    sidecars.add_argument("action", choices=["status", "write"])
    sidecars.add_argument(
        "paths", nargs="*", metavar="PATH", help="write: these photos' sidecars (default: those waiting)"
    )
    _add_common(sidecars)


class Parser(argparse.ArgumentParser):
    """argparse's parser; a command line it cannot read raises `UnreadableCommand` (with
    argparse's own message) so that `--json` callers get it as JSON too."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UnreadableCommand(self.prog, message)


class UnreadableCommand(Exception):
    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


@functools.cache  # one per process: the warm helper parses every command it answers with it (6 ms each)
def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="photo-organizer",
        description="Find your photos by describing them, by example, or by the words in them. Runs locally.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="folders or photos to add right away")
    gui.add_argument("--library", type=Path, default=None)

    launcher = sub.add_parser("install-launcher", help="add Photo Organizer to the desktop's app menu (current user)")
    launcher.add_argument("--uninstall", action="store_true", help="remove the launcher and icon again")

    index = sub.add_parser("index", help="add folders or photos to the library, or refresh them")
    index.add_argument("paths", nargs="+", metavar="PATH")
    _add_common(index, model=True)
    index.add_argument(
        "--no-detect", action="store_true", help="skip object detection (also: PHOTO_ORGANIZER_DETECT=0)"
    )
    index.add_argument("--no-ocr", action="store_true", help="skip text recognition (also: PHOTO_ORGANIZER_OCR=0)")
    index.add_argument("--no-faces", action="store_true", help="skip faces and people (also: PHOTO_ORGANIZER_FACES=0)")
    index.add_argument(
        "--ray",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="decode and embed on Ray: alone, a Ray started on this machine; auto or HOST:PORT, that cluster "
        "(needs photo-organizer[ray]; also: PHOTO_ORGANIZER_RAY)",
    )
    index.add_argument("--batch-size", type=int, default=0, help=argparse.SUPPRESS)
    index.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)

    status = sub.add_parser("status", help="what the library holds, and whether it is consistent")
    _add_common(status)

    places = sub.add_parser("places", help="where the photos were taken: country, region, city, with counts")
    _add_common(places)

    _add_organising(sub)

    search = sub.add_parser("search", help="search by text, by an image file, or both")
    search.add_argument("text", nargs="?", default=None, metavar="TEXT")
    search.add_argument("--image", type=Path, default=None, help="an image file to search by")
    search.add_argument("--top-k", type=int, default=None, help="how many results (default 20)")
    search.add_argument(
        "--save-as",
        default=None,
        metavar="ALBUM",
        help="keep this search as a smart album that updates itself (holding --top-k photos, default 200)",
    )
    search.add_argument("--threshold", type=float, default=None)
    search.add_argument(
        "--weights", default=None, help="per-region-kind (or object label) weights, e.g. image=1,text=0.5,animal=2"
    )
    search.add_argument(
        "--image-weight", type=float, default=0.5, help="with TEXT and --image: the image's share, 0..1 (default 0.5)"
    )
    search.add_argument("--auto-cut", action="store_true", help="stop at the largest drop in score")
    search.add_argument(
        "--literal",
        action="store_true",
        help="the words as they are: no dates, places, people, albums or tags read from them",
    )
    search.add_argument("--person", default=None, metavar="NAME", help="only photos with this person in them")
    _add_filters(search)
    _add_common(search, model=True)

    similar = sub.add_parser("similar", help="photos like the one at PATH")
    similar.add_argument("path", type=Path, metavar="PATH")
    similar.add_argument("--top-k", type=int, default=20)
    similar.add_argument("--threshold", type=float, default=None)
    _add_filters(similar)
    _add_common(similar, model=True)

    clusters = sub.add_parser("clusters", help="groups of similar photos, named")
    clusters.add_argument(
        "--eps",
        default="auto",
        metavar="auto|E",
        help="DBSCAN radius in cosine distance; auto (the default) chooses it from the library's own neighbour distances",
    )
    clusters.add_argument(
        "--strictness",
        type=float,
        default=0.5,
        metavar="S",
        help="with --eps auto: 0 looser groups (twice the radius) .. 0.5 as chosen .. 1 tighter (half)",
    )
    clusters.add_argument("--min-samples", type=int, default=2, help="DBSCAN/HDBSCAN minimum group size (default 2)")
    clusters.add_argument("--algorithm", choices=["dbscan", "hdbscan", "kmeans"], default="dbscan")
    clusters.add_argument("--k", type=int, default=None, help="k-means: number of clusters (default: by silhouette)")
    clusters.add_argument(
        "--on", choices=["image", "object", "person"], default="image", help="cluster whole photos (default) or regions"
    )
    _add_common(clusters, model=True)

    events = sub.add_parser("events", help="photos grouped by when they were taken, split where the content changes")
    _add_common(events, model=True)

    project = sub.add_parser("project", help="3D map coordinates per photo (t-SNE)")
    _add_common(project, model=True)

    evaluate = sub.add_parser("evaluate", help="retrieval and clustering quality on a labelled folder tree")
    evaluate.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    evaluate.add_argument(
        "--eps", default="auto", metavar="auto|E", help="DBSCAN radius (default: chosen from the data)"
    )
    evaluate.add_argument("--min-samples", type=int, default=2)
    _add_common(evaluate, model=True)

    doctor = sub.add_parser("doctor", help="check the device, the model and the library's integrity")
    _add_common(doctor, model=True)
    doctor.add_argument(
        "--repair",
        action="store_true",
        help="rebuild a damaged catalog from what can still be read (the damaged file is kept beside it)",
    )

    remove = sub.add_parser("remove", help="forget folders or photos (the files themselves are never touched)")
    remove.add_argument("paths", nargs="+", metavar="PATH")
    _add_common(remove)

    people = sub.add_parser(
        "people",
        help="people found by their faces; or: people name ID NAME [--merge] | merge ID ID | faces ID "
        "| remove-face FACE_ID | hide ID | show ID",
    )
    people.add_argument(
        "action", nargs="?", choices=["name", "merge", "faces", "remove-face", "hide", "show"], default=None
    )
    people.add_argument("values", nargs="*", metavar="VALUE")
    people.add_argument("--hidden", action="store_true", help="list hidden people too (marked hidden)")
    people.add_argument(
        "--merge", action="store_true", help="with name: a name another person has makes the two one person"
    )
    _add_common(people)

    teach = sub.add_parser("teach", help="teach the search a name from example photos: teach NAME PHOTO...")
    teach.add_argument("name", metavar="NAME", help='the name, e.g. Rex or "the cabin"')
    teach.add_argument("photos", nargs="+", metavar="PHOTO", help="indexed photos showing it (at least 3 in all)")
    teach.add_argument("--add", action="store_true", help="give a name taught before more examples")
    teach.add_argument("--steps", type=int, default=None, help=argparse.SUPPRESS)
    _add_common(teach)

    concepts = sub.add_parser("concepts", help="the names taught to the library; or: concepts rename OLD NEW")
    concepts.add_argument("action", nargs="?", choices=["rename"], default=None)
    concepts.add_argument("values", nargs="*", metavar="VALUE")
    _add_common(concepts)

    duplicates = sub.add_parser(
        "duplicates", help="exact copies, the same photo in other files, and bursts, with the one to keep"
    )
    duplicates.add_argument("--tier", choices=["exact", "same", "burst"], default=None, help="only this tier")
    duplicates.add_argument(
        "--strictness", type=float, default=0.5, help="0 (loose) .. 1 (strict) for the same photo and bursts"
    )
    _add_common(duplicates)

    trash = sub.add_parser(
        "trash",
        help="move duplicates to the system trash (recoverable), keeping KEEP: trash PATH... --keep KEEP",
    )
    trash.add_argument("paths", nargs="+", metavar="PATH", help="indexed files unchanged since indexing")
    trash.add_argument("--keep", required=True, metavar="KEEP", help="the photo that stays (never moved)")
    trash.add_argument("--yes", action="store_true", help="do not ask (scripts); without it a terminal asks first")
    _add_common(trash)

    forget = sub.add_parser("forget", help="forget a taught name (its photos stay)")
    forget.add_argument("name", metavar="NAME")
    _add_common(forget)
    return parser
