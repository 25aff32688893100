"""The world map of the geospatial visual: the pinned npm `world-atlas` (docs/dashboards.md).

The map is drawn from the 110m atlas, whose shapes leave out the smallest countries (Singapore,
Malta, Bahrain …). Those are drawn as points at the centre of their shape in the 10m atlas; a
country in neither (Natural Earth counts Réunion or French Guiana as part of France) is named
under the map with its figure. None is dropped.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from lakesight.quality.datadocs import NODE_MODULES

MAP = "world-atlas/countries-110m.json"
DETAILED = "world-atlas/countries-10m.json"


class AssetsMissing(FileNotFoundError):
    """node_modules lacks a pinned front-end file the pages need."""


def _read(name: str, node_modules: Path) -> dict[str, Any]:
    source = node_modules / name
    if not source.exists():
        raise AssetsMissing(f"{source} is missing: run `make assets` (npm ci)")
    return json.loads(source.read_text(encoding="utf-8"))


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs in longitude and latitude (TopoJSON quantised, delta-encoded)."""
    (kx, ky), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * kx + tx, y * ky + ty))
        arcs.append(points)
    return arcs


def _rings(geometry: dict[str, Any]) -> list[list[int]]:
    if geometry["type"] == "Polygon":
        return geometry["arcs"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


@functools.cache
def map_ids(node_modules: Path = NODE_MODULES) -> frozenset[str]:
    """The ISO numeric codes the drawn map has a shape for."""
    topology = _read(MAP, node_modules)
    return frozenset(g["id"] for g in topology["objects"]["countries"]["geometries"] if "id" in g)


@functools.cache
def points(node_modules: Path = NODE_MODULES) -> dict[str, tuple[float, float]]:
    """ISO numeric code -> (longitude, latitude) of the centre of the country's shape in the
    10m atlas, for the countries the drawn map has no shape for."""
    topology = _read(DETAILED, node_modules)
    arcs, drawn = _arcs(topology), map_ids(node_modules)
    centres = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = geometry.get("id")
        if code is None or code in drawn:
            continue
        ring_points = [
            point
            for ring in _rings(geometry)
            for index in ring
            for point in (arcs[index] if index >= 0 else arcs[~index][::-1])
        ]
        if ring_points:
            longitude = sum(p[0] for p in ring_points) / len(ring_points)
            latitude = sum(p[1] for p in ring_points) / len(ring_points)
            centres[code] = (round(longitude, 3), round(latitude, 3))
    return centres


def world_shapes(out: Path, node_modules: Path = NODE_MODULES) -> Path:
    """The drawn map with ids only (the country names are dropped: no data is in the base map),
    written to `out/vendor/`."""
    topology = _read(MAP, node_modules)
    for geometry in topology["objects"]["countries"]["geometries"]:
        geometry.pop("properties", None)
    target = out / "vendor" / "countries-110m-ids.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(topology, separators=(",", ":")), encoding="utf-8")
    return target
