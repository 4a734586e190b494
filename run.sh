#!/usr/bin/env bash
# One entry point for a fresh machine:
#   ./run.sh app    set everything up, then open Photo Organizer
#   ./run.sh test   set everything up, then run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

ensure_test_packages() {
  # The 3D map needs OpenGL on a real X server: Xvfb with the xcb platform plugin.
  # libheif-examples gives heif-enc, which writes camera-like HEIC files for the tests;
  # exiftool writes cameras' EXIF into the RAW files the tests make; libpulse0 is what
  # QtMultimedia needs to load (desktops have it), for the tests that play videos.
  local missing=()
  command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
  for pkg in libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libheif-examples libimage-exiftool-perl libpulse0; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing ${missing[*]} (Debian packages the tests need)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

case "${1:-app}" in
  app)
    shift || true
    bash scripts/setup.sh
    exec .venv/bin/photo-organizer gui "$@"
    ;;
  test)
    shift || true
    bash scripts/setup.sh
    ensure_test_packages
    exec bash scripts/test.sh "$@"
    ;;
  *)
    echo "usage: ./run.sh app | test" >&2
    exit 2
    ;;
esac
