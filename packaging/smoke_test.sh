#!/usr/bin/env bash
# Smoke-test the one-folder bundle with its own executable (never the venv's Python):
#     bash packaging/smoke_test.sh [dist/photo-organizer]
# --help; index real photos with objects, text and faces on (decode workers forced into
# processes, so frozen workers are exercised) and check that text and faces were found; search,
# and again, answered by the warm helper the first search started; similar, clusters, the 3D
# map's points, events, people, duplicates, status (quick searches ready), doctor; the window
# for a few seconds under Xvfb, on the 3D map, without a traceback;
# install-launcher and its removal. The venv only makes
# the photos (and random detector weights, since the hub is out of reach).
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=$(cd "${1:-dist/photo-organizer}" && pwd)
exe="$bundle/photo-organizer"
[ -x "$exe" ] || { echo "no bundle at $bundle: run packaging/build_bundle.sh first" >&2; exit 1; }
work=$(mktemp -d)
# The warm helper a search starts leaves within seconds once its folder here is gone.
trap 'rm -rf "$work"' EXIT
step() { echo "--- $*" >&2; }
json() { .venv/bin/python -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1"; }

step "photos: a sign, two people, real photos, a PNG"
.venv/bin/python - "$work/photos" "$work/detector.pth" <<'PY'
import shutil, sys
from pathlib import Path

import torch
import torchvision
from PIL import Image

sys.path.insert(0, ".")
from tests.helpers.duplicate_corpus import real_photo
from tests.helpers.faces import face_photos
from tests.helpers.images import word_photo

folder = Path(sys.argv[1])
folder.mkdir(parents=True)
word_photo("BAKERY", seed=3, size=(1600, 1200))[0].save(folder / "shop front.jpg", quality=90)
for name in ("obama.jpg", "obama2.jpg", "biden.jpg"):
    shutil.copy(face_photos()[name], folder / name)
for name in ("chelsea.png", "coffee.png", "astronaut.png"):
    real_photo(name).save(folder / name)
Image.open(face_photos()["obama3.jpg"]).save(folder / "obama3.png")
model = torchvision.models.get_model("fasterrcnn_mobilenet_v3_large_320_fpn", weights=None, weights_backbone=None)
torch.save(model.state_dict(), sys.argv[2])
PY

export HOME="$work/home" XDG_DATA_HOME="$work/share" XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config"
export PHOTO_ORGANIZER_LIBRARY="$work/library" PHOTO_ORGANIZER_MODEL=PO-Tiny PHOTO_ORGANIZER_PRETRAINED=random
export PHOTO_ORGANIZER_DETECTOR_WEIGHTS="$work/detector.pth" PHOTO_ORGANIZER_DECODE_PROCESSES=1
export XDG_RUNTIME_DIR="$work/run" PHOTO_ORGANIZER_SEARCH_HELPER=1 PHOTO_ORGANIZER_SEARCH_HELPER_IDLE=60
unset PHOTO_ORGANIZER_QUERY_DIR PYTHONPATH VIRTUAL_ENV
mkdir -p "$HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"

step "--help"
"$exe" --help | head -3

step "index (objects, text, faces; decode in worker processes)"
"$exe" index "$work/photos" --json > "$work/index.json"
json "$work/index.json" '
print({k: d[k] for k in ("scanned", "embedded", "failed", "region_images", "objects", "texts", "faces", "warnings")})
assert d["scanned"] == 8 and d["embedded"] == 8 and d["failed"] == 0, d["failures"]
assert d["region_images"] == 8 and d["texts"] >= 1 and d["faces"] >= 3, d
assert not d["warnings"], d["warnings"]'

step "search for the word on the sign"
"$exe" search bakery --json > "$work/search.json"
json "$work/search.json" '
top = d["results"][0]; print(top["path"], top["region"], top["why"])
assert top["path"].endswith("shop front.jpg") and "BAKERY" in (top["region"]["text"] or "").upper(), top'

step "the next search, answered by the warm helper the first one started"
for _ in $(seq 150); do ls "$XDG_RUNTIME_DIR"/photo-organizer-*/*.sock > /dev/null 2>&1 && break; sleep 0.2; done
ls "$XDG_RUNTIME_DIR"/photo-organizer-*/*.sock
"$exe" search bakery --json > "$work/search-warm.json"
.venv/bin/python -c "
import json, sys
cold, warm = (json.load(open(p))['results'] for p in sys.argv[1:])
assert warm == cold, (warm, cold)" "$work/search.json" "$work/search-warm.json"

step "similar, clusters, events, people, duplicates"
"$exe" similar "$work/photos/obama.jpg" --json > "$work/similar.json"
json "$work/similar.json" 'print(len(d["results"]), "similar"); assert d["results"]'
"$exe" clusters --json > "$work/clusters.json"
json "$work/clusters.json" 'print(len(d["clusters"]), "clusters,", d["noise"], "noise")'
"$exe" events --json > "$work/events.json"
json "$work/events.json" 'print(len(d["events"]), "events"); assert d["events"]'
"$exe" people --json > "$work/people.json"
json "$work/people.json" 'print([p["faces"] for p in d["people"]], "faces per person"); assert d["people"]'
"$exe" project --json > "$work/project.json"
json "$work/project.json" 'print(len(d["points"]), "points on the 3D map"); assert len(d["points"]) == 8'
"$exe" duplicates --json > "$work/duplicates.json"
json "$work/duplicates.json" 'print(len(d["groups"]), "duplicate groups")'

step "status and doctor"
"$exe" status --json > "$work/status.json"
json "$work/status.json" '
print({k: d[k] for k in ("images", "regions", "vectors", "consistent", "quick_search")})
assert d["consistent"] and d["quick_search"] == "ready", d'
"$exe" doctor --json > "$work/doctor.json"
json "$work/doctor.json" 'print(json.dumps(d)[:300])'

step "RAW photos, developed and from their preview (LibRaw), and a video (FFmpeg), in a library of their own"
.venv/bin/python - "$work/raw" <<'PY'
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, ".")
from tests.helpers.raw_files import write_dng
from tests.helpers.videos import write_video

rgb = np.zeros((600, 800, 3), np.uint8)
rgb[:, :400] = (220, 40, 40)
write_dng(Path(sys.argv[1]) / "DSC_0001.dng", rgb)
write_dng(Path(sys.argv[1]) / "IMG_0002.dng", rgb, preview=Image.new("RGB", (800, 600), (30, 200, 30)))
write_video(Path(sys.argv[1]) / "clip.mp4", [((200, 30, 30), 3), ((30, 30, 200), 3)], metadata={"location": "+38.7223-009.1393/"})
PY
PHOTO_ORGANIZER_LIBRARY="$work/raw-library" "$exe" index "$work/raw" --no-detect --no-ocr --json > "$work/raw.json"
json "$work/raw.json" '
print({k: d[k] for k in ("scanned", "embedded", "failed", "frames")})
assert d["scanned"] == 3 and d["embedded"] == 3 and d["failed"] == 0, d["failures"]
assert d["frames"] == 2, d'
PHOTO_ORGANIZER_LIBRARY="$work/raw-library" "$exe" places --json > "$work/places.json"
json "$work/places.json" '
print(d["places"])
# the video has GPS; the two DNGs, made in the same minute, are its event and get its place, estimated
assert [(p["city"], p["country"], p["count"], p["estimated"]) for p in d["places"]] == [("Lisbon", "Portugal", 3, 2)], d'
# a query read in German (dateparser's locale data, written out in app/search/date_locales.py)
PHOTO_ORGANIZER_LANGUAGES=de PHOTO_ORGANIZER_LIBRARY="$work/raw-library" "$exe" search "dieses Jahr in Lisbon" --json > "$work/understood.json"
json "$work/understood.json" '
print(d["understood"])
assert d["understood"]["place"] == "Lisbon" and d["understood"]["after"].endswith("-01-01"), d["understood"]
assert len(d["results"]) == 3, d["results"]'

step "the window, opening on the 3D map (OpenGL), for 8 seconds under Xvfb"
mkdir -p "$XDG_CONFIG_HOME/photo-organizer"
printf '[window]\nview=2\n' > "$XDG_CONFIG_HOME/photo-organizer/Photo Organizer.conf"
set +e
QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x900x24" timeout 8 "$exe" gui > "$work/gui.log" 2>&1
code=$?
set -e
cat "$work/gui.log" | tail -5
[ "$code" -eq 124 ] || { echo "the window exited with $code before it was closed" >&2; exit 1; }
if grep -q "Traceback" "$work/gui.log"; then echo "the window printed a traceback" >&2; exit 1; fi

step "install-launcher"
"$exe" install-launcher
desktop="$XDG_DATA_HOME/applications/photo-organizer.desktop"
grep "^Exec=" "$desktop"
grep -qx "Exec=$exe gui %F" "$desktop" || { echo "the launcher does not run the bundle" >&2; exit 1; }
"$exe" install-launcher --uninstall
[ ! -e "$desktop" ]

echo "smoke test passed: $exe" >&2
