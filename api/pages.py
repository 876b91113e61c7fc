"""api.pages — server-rendered HTML pages (Jinja2 templates in api/templates) for people who
do not write SPARQL. Narrative texts keep only a whitelist of inline tags."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from api.schemas import AssessmentSheet, ReviewTable, SearchResults, SpeciesSheet
from api.services import planning_link
from api.services.codes import codes
from api.services.tables import Filters
from kg.query import library

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
_ALLOWED = re.compile(r"&lt;(/?)(p|em|i|b|strong|br|sup|sub|ul|ol|li)\s*/?&gt;", re.IGNORECASE)
FIELD_TITLES = {
    "rationale": "Rationale",
    "habitat": "Habitat and ecology",
    "threats": "Threats",
    "population": "Population",
    "range": "Geographic range",
    "use_trade": "Use and trade",
    "conservation_actions": "Conservation actions",
    "trend_justification": "Trend justification",
}


def narrative(text: str) -> Markup:
    """Escape everything, then re-allow a few attribute-free inline tags."""
    esc = html.escape(text, quote=True)
    return Markup(_ALLOWED.sub(lambda m: f"<{m.group(1)}{m.group(2).lower()}>", esc))


TEMPLATES.env.filters["narrative"] = narrative
TEMPLATES.env.globals["field_titles"] = FIELD_TITLES


def _render(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("planning", planning_link.function("list_clusters") is not None)
    return TEMPLATES.TemplateResponse(request, name, ctx, headers={"Vary": "Accept"})


def _options() -> dict[str, list[tuple[str, str]]]:
    c = codes()
    threats = [(code, con.label) for code, con in c.schemes["threats"].concepts.items()]
    threats.sort(key=lambda x: [int(p) if p.isdigit() else 0 for p in x[0].split(".")])
    return {
        "threats": threats,
        "categories": [(k, c.label("category", k)) for k in ("CR", "EN", "VU")],
        "countries": sorted(
            ((k, v.label) for k, v in c.schemes["countries"].concepts.items()),
            key=lambda x: x[1],
        ),
    }


def home_page(request: Request) -> HTMLResponse:
    return _render(request, "home.html")


def search_page(request: Request, results: SearchResults) -> HTMLResponse:
    return _render(request, "search.html", results=results)


def species_page(request: Request, sheet: SpeciesSheet) -> HTMLResponse:
    return _render(request, "species.html", sheet=sheet, a=sheet.latest)


def assessment_page(request: Request, sheet: AssessmentSheet) -> HTMLResponse:
    return _render(request, "assessment.html", a=sheet)


def review_page(request: Request, table: ReviewTable, f: Filters) -> HTMLResponse:
    query = str(request.url.query)
    return _render(request, "review.html", table=table, f=f, opts=_options(), query=query)


def map_page(request: Request, svg: str, counts: dict[str, int], f: Filters,
             cluster: str, clusters: list[Any]) -> HTMLResponse:
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:15]
    opts = _options()
    return _render(request, "map.html", svg=Markup(svg), top=top, f=f, opts=opts,
                   cluster=cluster, clusters=clusters, labels=dict(opts["countries"]))


def disconnect_page(request: Request, svg: str, rows: list[dict[str, Any]],
                    f: Filters) -> HTMLResponse:
    return _render(request, "disconnect.html", svg=Markup(svg), rows=rows, f=f, opts=_options())


def links_fragment(request: Request, links: dict[str, Any]) -> HTMLResponse:
    """A species' links and pledges as an HTML fragment (the species page loads it)."""
    return _render(request, "_links.html", links=links)


def clusters_page(request: Request, clusters: Any, prev: str | None = None) -> HTMLResponse:
    """One page of clusters (`clusters["next"]` and `prev`: the neighbouring pages' URLs)."""
    return _render(request, "clusters.html", clusters=clusters, prev=prev)


def sparql_editor(request: Request) -> HTMLResponse:
    examples = [
        {"name": q.name, "title": q.title, "text": q.text}
        for q in library().values()
        if not q.description.lower().startswith("internal")
    ]
    return _render(request, "sparql.html", examples=examples)
