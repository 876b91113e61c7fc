"""api.routes.planning — clusters, co-affected species and planning buckets.

These routes exist only when the planning module (api.services.planning) can be imported:
`install_routes()` adds, at application start, the routes whose planning function is there.
Their response models are the planning module's own records (kg.planning.models).
"""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api import pages
from api.deps import ServicesDep
from api.negotiation import choose
from api.schemas import CLUSTERS_EXAMPLE, ClustersPage, problem_responses
from api.services import datasheet, links, planning_link

router = APIRouter(tags=["planners"])
SpeciesId = Annotated[str, Path(description="Red List taxon (SIS) id.", examples=["900101"],
                                max_length=40)]

EXAMPLES: dict[str, Any] = {
    "clusters_page": CLUSTERS_EXAMPLE,
    "coaffected_for": [{
        "taxon_id": "9000468", "name": "Fictigepazaopsis fiksiensis", "category": "VU",
        "score": 6.75, "shared_threats": ["2.2", "3.2"], "shared_places": ["ID", "MY"],
        "assessment_id": "900001867", "basis": "coded",
    }],
    "buckets_for": [{
        "taxon_id": "9000450", "bucket": "habitat", "probability": 0.82,
        "reasons": ["shares threat 3.2 at Sungai Fiksi with 12 threatened species"],
        "exsitu_roles": [], "assessment_id": "900001806",
        "scientific_name": "Fictigepazaopsis diveae", "recommended": True,
        "model": "rules/labels.v1",
    }],
}


def _model(name: str) -> Any:
    """The planning function's declared return type (its pydantic records), if resolvable."""
    fn = planning_link.function(name)
    if fn is None:
        return None
    try:
        return typing.get_type_hints(fn).get("return")
    except Exception:  # noqa: BLE001 - an untyped or unresolvable annotation: no model
        return None


def _json(data: Any) -> Response:
    return Response(json.dumps(planning_link.to_jsonable(data), ensure_ascii=False),
                    media_type="application/json")


async def _call(name: str, *args: Any) -> Any:
    fn = planning_link.function(name)
    try:
        return await run_in_threadpool(fn, *args)  # type: ignore[arg-type]
    except LookupError as exc:  # the planning module's NotFound
        raise HTTPException(status_code=404, detail=str(exc)) from exc


# GET /clusters pages count clusters; each comes whole, with all its species, and sizes vary
# widely: on the 172,000-species graph (var/bench/graph172k2, read-only) 535 clusters, median 57
# species, largest 6,912, so the first (largest) 10 are 36,330 species rows, 6.0 MB of JSON, and
# the whole report 25 MB (`limit=1000` takes every cluster at once)
CLUSTERS_PAGE = 10
CLUSTERS_MAX_PAGE = 1000


async def clusters(
    request: Request,
    services: ServicesDep,
    limit: Annotated[int, Query(
        ge=1, le=CLUSTERS_MAX_PAGE,
        description=f"Clusters per page ({CLUSTERS_PAGE} by default; JSON: follow `next`). A "
        "cluster comes whole, with all its species.")] = CLUSTERS_PAGE,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Clusters skipped.")] = 0,
    format: Annotated[str | None, Query(description="json or html.")] = None,  # noqa: A002
) -> Response:
    """Clusters of threatened species that share threats, places and habitats, largest first,
    with their species (and each species' CITES appendix, ex situ holdings and pledges),
    suggested bucket and cohesion; one page of `limit` clusters from `offset`, `total` counting
    them all, and the single-species candidates with the first page."""
    fmt = choose(request, ["json", "html"], "json", format)
    data = await _call("clusters_page", services.store, limit, offset)
    data = await run_in_threadpool(links.with_link_cells, services.store, data)
    more = offset + limit < data["total"]
    data["next"] = str(request.url.include_query_params(offset=offset + limit, limit=limit)) \
        if more else None
    if fmt == "html":
        prev = str(request.url.include_query_params(offset=max(offset - limit, 0), limit=limit)) \
            if offset > 0 else None
        return pages.clusters_page(request, data, prev)
    return _json(data)


async def coaffected(
    services: ServicesDep,
    species_id: SpeciesId,
    k: Annotated[int, Query(ge=1, le=200, description="How many species.")] = 10,
) -> Response:
    """Species in the graph most affected by the same threats in the same places."""
    if not datasheet.valid_id(species_id):
        raise HTTPException(status_code=404, detail=f"no species {species_id!r} in the graph")
    return _json(await _call("coaffected_for", services.store, species_id, k))


async def buckets(services: ServicesDep, species_id: SpeciesId) -> Response:
    """The four planning buckets for the species' latest assessment, with probabilities,
    reasons and whether each is recommended."""
    if not datasheet.valid_id(species_id):
        raise HTTPException(status_code=404, detail=f"no species {species_id!r} in the graph")
    return _json(await _call("buckets_for", services.store, species_id))


def install_routes() -> list[str]:
    """Add the routes whose planning function exists; returns the paths added."""
    added = []
    specs: list[tuple[str, str, Any, str]] = [
        ("clusters_page", "/clusters", clusters, "Clusters of co-affected threatened species"),
        ("coaffected_for", "/coaffected/{species_id}", coaffected, "Co-affected species"),
        ("buckets_for", "/buckets/{species_id}", buckets, "Planning buckets for a species"),
    ]
    existing = {getattr(r, "path", "") for r in router.routes}
    for fn_name, path, endpoint, summary in specs:
        if planning_link.function(fn_name) is None or path in existing:
            continue
        content: dict[str, Any] = {"application/json": {"example": EXAMPLES[fn_name]}}
        model = _model(fn_name)
        response_class: type[Response] = Response
        if fn_name == "clusters_page":
            content["text/html"] = {}
            # a JSON response class puts the model's schema beside the example
            model, response_class = ClustersPage, JSONResponse
        router.add_api_route(
            path, endpoint, methods=["GET"], summary=summary, response_class=response_class,
            response_model=model,
            responses={200: {"description": summary, "content": content},
                       **problem_responses(404, 406, 422)},
        )
        added.append(path)
    return added
