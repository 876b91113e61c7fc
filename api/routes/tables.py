"""api.routes.tables — the multi-species review table, stats, the map and the disconnect chart."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api import pages
from api.deps import ServicesDep
from api.negotiation import MEDIA, choose
from api.schemas import ReviewTable, Stats, problem_responses
from api.services import planning_link, worldmap
from api.services.codes import codes
from api.services.tables import Filters, review_csv_chunks, review_xlsx

router = APIRouter(tags=["planners"])

PAGE_ROWS = 1000  # rows of a JSON page of /review-table when no limit is given


def _code(kind: str, name: str, value: str) -> str:
    if not value:
        return ""
    code = codes().canonical(kind, value)
    if code is None:
        raise HTTPException(status_code=422, detail=f"query.{name}: unknown {kind} code {value!r}")
    return code


def filters(
    taxon: Annotated[str, Query(max_length=100, description="Higher taxon at any rank "
                                "(e.g. CYPRINIDAE) or a name prefix.", examples=["CYPRINIDAE"])] = "",
    country: Annotated[str, Query(max_length=60, description="ISO 3166-1 alpha-2 code.",
                                  examples=["ID"])] = "",
    site: Annotated[str, Query(max_length=100, description="Part of a site or other place name.",
                               examples=["Lake"])] = "",
    threat: Annotated[str, Query(max_length=20, description="Threat code; sub-codes match.",
                                 examples=["7.2"])] = "",
    category: Annotated[str, Query(max_length=10, description="Red List category code.",
                                   examples=["CR"])] = "",
    action: Annotated[str, Query(max_length=20, description="Action needed code; sub-codes "
                                 "match.", examples=["1.1"])] = "",
) -> Filters:
    return Filters(
        taxon=taxon.strip(),
        country=_code("country", "country", country.strip()),
        site=site.strip(),
        threat=_code("threat", "threat", threat.strip()),
        category=_code("category", "category", category.strip()),
        action=_code("action", "action", action.strip()),
    )


FiltersDep = Annotated[Filters, Depends(filters)]


@router.get(
    "/review-table",
    response_model=ReviewTable,
    summary="Multi-species review table (JSON, CSV, Excel or HTML)",
    responses={
        200: {
            "description": "One row per threatened species (latest assessment CR, EN or VU).",
            "content": {"text/csv": {}, MEDIA["xlsx"]: {}, "text/html": {}},
        },
        **problem_responses(406, 422),
    },
)
async def review_table(
    request: Request,
    services: ServicesDep,
    f: FiltersDep,
    limit: Annotated[int | None, Query(ge=1, le=10_000, description=f"Rows per page (JSON: "
                                       f"{PAGE_ROWS} by default, follow `next`; HTML: 500; "
                                       "CSV and Excel exports are whole).")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    format: Annotated[str | None, Query(description="json, csv, xlsx or html.",  # noqa: A002
                                        examples=["csv"])] = None,
) -> Response:
    """Category, criteria, places, threats with scope and severity, actions in place, actions
    needed and the suggested planning bucket for each threatened species, filtered by taxon,
    country, site, threat, action and category — the spreadsheet planners built by hand."""
    fmt = choose(request, ["json", "csv", "xlsx", "html"], "json", format)
    tables = services.tables
    if fmt == "csv":
        table = await run_in_threadpool(tables.review, f)
        return StreamingResponse(
            review_csv_chunks(table), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="review-table.csv"'})
    if fmt == "xlsx":
        table = await run_in_threadpool(tables.review, f)
        body = await run_in_threadpool(review_xlsx, table)
        return Response(body, media_type=MEDIA["xlsx"],
                        headers={"Content-Disposition":
                                 'attachment; filename="review-table.xlsx"'})
    if fmt == "html":
        table = await run_in_threadpool(tables.review, f, limit or 500, offset)
        return pages.review_page(request, table, f)
    table = await run_in_threadpool(tables.review, f, limit or PAGE_ROWS, offset)
    if table.limit is not None and table.offset + table.limit < table.total:
        table.next = str(request.url.include_query_params(offset=table.offset + table.limit,
                                                          limit=table.limit))
    return Response(table.model_dump_json(), media_type="application/json")


@router.get("/stats", response_model=Stats, summary="Summary figures for a region or group",
            responses=problem_responses(422))
async def stats(services: ServicesDep, f: FiltersDep) -> Stats:
    """Species and threatened species, by category; the commonest threats and actions needed;
    conservation-section completeness; the threat–action disconnect — for the species that
    match the filters (e.g. `country=ID`, `taxon=CYPRINIDAE`)."""
    return await run_in_threadpool(services.tables.stats, f)


def _clusters(services: ServicesDep) -> list[dict[str, Any]]:
    list_clusters = planning_link.function("list_clusters")
    if list_clusters is None:
        return []
    data = planning_link.to_jsonable(list_clusters(services.store))
    return list(data.get("clusters", [])) if isinstance(data, dict) else list(data)


def _map_counts(services: ServicesDep, f: Filters, cluster: str) -> dict[str, int]:
    taxa = None
    if cluster:
        if planning_link.function("list_clusters") is None:
            raise HTTPException(status_code=404, detail="clusters need the planning module, "
                                "which is not available")
        found = next((c for c in _clusters(services) if str(c.get("id")) == cluster), None)
        if found is None:
            raise HTTPException(status_code=404, detail=f"no cluster {cluster!r}")
        taxa = {str(s["taxon_id"]) for s in found.get("species", [])}
    return services.tables.country_counts(f, taxa)


@router.get(
    "/map.svg",
    summary="World map of threatened species per country (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "An SVG choropleth."},
               **problem_responses(404, 422)},
)
async def map_svg(
    services: ServicesDep,
    f: FiltersDep,
    cluster: Annotated[str, Query(max_length=100, description="A cluster id from /clusters.")] = "",
) -> Response:
    """Countries coloured by the number of threatened species for the selected threat (or
    cluster, or any other filter)."""
    counts = await run_in_threadpool(_map_counts, services, f, cluster)
    title = "threatened species per country"
    svg = worldmap.render(counts, title, link="/review-table?country={code}")
    return Response(svg, media_type="image/svg+xml")


@router.get("/map", summary="Map page", response_class=Response, include_in_schema=False)
async def map_page(request: Request, services: ServicesDep, f: FiltersDep,
                   cluster: Annotated[str, Query(max_length=100)] = "") -> Response:
    counts = await run_in_threadpool(_map_counts, services, f, cluster)
    svg = worldmap.render(counts, "threatened species per country",
                          link="/review-table?country={code}")
    clusters = await run_in_threadpool(_clusters, services)
    return pages.map_page(request, svg, counts, f, cluster, clusters)


@router.get(
    "/disconnect.svg",
    summary="Chart of the threat–action disconnect (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "An SVG bar chart."},
               **problem_responses(422)},
)
async def disconnect_svg(services: ServicesDep, f: FiltersDep) -> Response:
    """Per threat class: threatened species whose threats have an answering action needed
    coded, and those without."""
    rows = await run_in_threadpool(services.tables.disconnect, f)
    return Response(worldmap.disconnect_chart(rows), media_type="image/svg+xml")


@router.get("/disconnect", response_class=Response, include_in_schema=False)
async def disconnect_page(request: Request, services: ServicesDep, f: FiltersDep) -> Response:
    rows = await run_in_threadpool(services.tables.disconnect, f)
    return pages.disconnect_page(request, worldmap.disconnect_chart(rows), rows, f)
