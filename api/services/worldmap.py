"""api.services.worldmap — a choropleth world map as inline SVG, from vendored Natural Earth
shapes (api/static/vendor/world-atlas, TopoJSON) — no JavaScript library, no download.

TopoJSON arcs are delta-decoded and de-quantised once, projected equirectangularly and kept
as one SVG path per ISO 3166-1 alpha-2 code.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from html import escape
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "static" / "vendor"
WIDTH, HEIGHT = 960, 480
# ColorBrewer YlOrRd (7 classes), light → dark
PALETTE = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"]
NO_DATA = "#e5e7eb"


def _project(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180.0) * WIDTH / 360.0, (90.0 - lat) * HEIGHT / 180.0


@lru_cache(maxsize=1)
def country_paths() -> dict[str, tuple[str, str]]:
    """ISO alpha-2 → (name, SVG path data)."""
    topo = json.loads((VENDOR / "world-atlas" / "countries-110m.json").read_text("utf-8"))
    codes = json.loads((VENDOR / "i18n-iso-countries" / "codes.json").read_text("utf-8"))
    numeric_to_a2 = {row[2]: row[0] for row in codes}
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append(_project(x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        pts: list[tuple[float, float]] = []
        for i in indices:
            seg = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(seg[1:] if pts else seg)
        return pts

    def ring_path(pts: list[tuple[float, float]]) -> str:
        out = []
        prev_x = None
        for j, (x, y) in enumerate(pts):
            # break lines that wrap around the antimeridian
            cmd = "M" if j == 0 or (prev_x is not None and abs(x - prev_x) > WIDTH / 2) else "L"
            out.append(f"{cmd}{x:.1f},{y:.1f}")
            prev_x = x
        return "".join(out) + "Z"

    out: dict[str, tuple[str, str]] = {}
    for geom in topo["objects"]["countries"]["geometries"]:
        a2 = numeric_to_a2.get(str(geom.get("id", "")))
        name = geom.get("properties", {}).get("name", "")
        if geom["type"] == "Polygon":
            polys = [geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            polys = geom["arcs"]
        else:
            continue
        d = "".join(ring_path(ring(r)) for poly in polys for r in poly)
        key = a2 or f"N{geom.get('id', name)}"
        prev = out.get(key)
        out[key] = (name, (prev[1] if prev else "") + d)
    return out


def _classes(max_count: int) -> list[int]:
    """Upper bounds of up to 7 classes for counts 1..max_count (roughly logarithmic)."""
    if max_count <= 0:
        return []
    if max_count <= len(PALETTE):
        return list(range(1, max_count + 1))
    bounds = sorted({max(1, round(math.exp(math.log(max_count) * (i + 1) / len(PALETTE))))
                     for i in range(len(PALETTE))})
    bounds[-1] = max_count
    return bounds


def _colour(count: int, bounds: list[int]) -> str:
    if count <= 0 or not bounds:
        return NO_DATA
    for i, b in enumerate(bounds):
        if count <= b:
            return PALETTE[round(i * (len(PALETTE) - 1) / max(1, len(bounds) - 1))]
    return PALETTE[-1]


def render(counts: dict[str, int], title: str = "", link: str = "") -> str:
    """The SVG map; `link` (e.g. '/review-table?country={code}') wraps each country."""
    paths = country_paths()
    bounds = _classes(max(counts.values(), default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 40}" '
        f'role="img" aria-label="{escape(title or "map")}" class="worldmap">',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#f8fafc"/>',
    ]
    for code, (name, d) in sorted(paths.items()):
        n = counts.get(code, 0)
        label = f"{name} ({code}): {n} threatened species" if n else f"{name}: none"
        shape = (
            f'<path d="{d}" fill="{_colour(n, bounds)}" stroke="#ffffff" stroke-width="0.4" '
            f'data-code="{escape(code)}" data-count="{n}"><title>{escape(label)}</title></path>'
        )
        if link and n and len(code) == 2:
            shape = f'<a href="{escape(link.format(code=code))}">{shape}</a>'
        parts.append(shape)
    # legend
    x = 10
    lo = 1
    for i, b in enumerate(bounds):
        colour = _colour(b, bounds)
        text = f"{lo}" if lo == b else f"{lo}–{b}"
        parts.append(f'<rect x="{x}" y="{HEIGHT + 12}" width="18" height="14" fill="{colour}"/>')
        parts.append(f'<text x="{x + 22}" y="{HEIGHT + 24}" font-size="12">{text}</text>')
        x += 30 + 8 * len(text)
        lo = b + 1
        del i
    if not bounds:
        parts.append(f'<text x="10" y="{HEIGHT + 24}" font-size="12">no threatened species '
                     "match</text>")
    missing = sorted(c for c in counts if counts[c] and c not in paths)
    if missing:
        parts.append(
            f'<text x="{WIDTH - 10}" y="{HEIGHT + 24}" font-size="11" text-anchor="end">'
            f"not drawn at this scale: {escape(', '.join(missing[:12]))}"
            f"{'…' if len(missing) > 12 else ''}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def disconnect_chart(rows: list[dict[str, object]]) -> str:
    """Horizontal stacked bars: threatened species per threat class, answered vs not."""
    bar_h, gap, left, width = 18, 6, 260, 420
    total_max = max((int(r["answered"]) + int(r["unanswered"]) for r in rows), default=0)  # type: ignore[call-overload]
    height = 40 + len(rows) * (bar_h + gap) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 80} {height}" '
        'role="img" aria-label="threat-action disconnect" class="chart">',
        '<text x="0" y="16" font-size="13" font-weight="bold">Threatened species per threat '
        "class: an answering action needed is coded (green) or not (red)</text>",
    ]
    y = 36
    for r in rows:
        a, u = int(r["answered"]), int(r["unanswered"])  # type: ignore[call-overload]
        scale = width / total_max if total_max else 0
        label = f"{r['code']} {r['label']}"
        parts.append(f'<text x="{left - 6}" y="{y + 13}" font-size="12" text-anchor="end">'
                     f"{escape(label[:40])}</text>")
        parts.append(f'<rect x="{left}" y="{y}" width="{a * scale:.1f}" height="{bar_h}" '
                     f'fill="#4d9221"><title>{a} answered</title></rect>')
        parts.append(f'<rect x="{left + a * scale:.1f}" y="{y}" width="{u * scale:.1f}" '
                     f'height="{bar_h}" fill="#c51b7d"><title>{u} without an answering action'
                     "</title></rect>")
        parts.append(f'<text x="{left + (a + u) * scale + 4:.1f}" y="{y + 13}" font-size="11">'
                     f"{u} of {a + u} without</text>")
        y += bar_h + gap
    if not rows:
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">no threatened species match</text>')
    parts.append("</svg>")
    return "".join(parts)
