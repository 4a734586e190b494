"""Write resources/world-outlines.json: the country outlines the Places map draws, offline.

    .venv/bin/python scripts/make_world_outlines.py [--scale 50m]

Source: Natural Earth's Admin 0 country boundaries (public domain), version 4.1.0, as the npm
package `world-atlas` 2.0.2 redistributes them in TopoJSON (fetched here with `npm pack` from the
npm registry). The topology's quantized, delta-encoded arcs are decoded into plain rings of
longitude/latitude pairs (rounded to 0.01°, about a kilometre: finer than the 1:50m data), one
list of rings per country, with the country's name and ISO 3166 numeric id.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "world-atlas@2.0.2"
ROOT = Path(__file__).resolve().parent.parent


def fetch_topology(scale: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=scratch, check=True, capture_output=True)
        (archive,) = Path(scratch).glob("world-atlas-*.tgz")
        with tarfile.open(archive) as tar:
            member = tar.extractfile(f"package/countries-{scale}.json")
            assert member is not None
            return json.load(member)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[float]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)  # each arc starts where the last one ended
    flat: list[float] = []
    for lon, lat in points:
        flat += [round(lon, 2), round(lat, 2)]
    return flat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="50m", choices=["110m", "50m", "10m"])
    args = parser.parse_args()
    topology = fetch_topology(args.scale)
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = [ring(r, arcs) for polygon in polygons for r in polygon]
        countries.append(
            {"name": geometry.get("properties", {}).get("name", ""), "id": geometry.get("id"), "rings": rings}
        )
    out = ROOT / "resources" / "world-outlines.json"
    source = f"Natural Earth 4.1.0 Admin 0 countries 1:{args.scale} (public domain), via npm {PACKAGE}"
    out.write_text(json.dumps({"source": source, "countries": countries}, separators=(",", ":")))
    print(f"{out}: {len(countries)} countries, {out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
