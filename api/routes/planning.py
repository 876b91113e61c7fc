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
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api import pages
from api.deps import ServicesDep
from api.negotiation import choose
from api.schemas import problem_responses
from api.services import datasheet, links, planning_link

router = APIRouter(tags=["planners"])
SpeciesId = Annotated[str, Path(description="Red List taxon (SIS) id.", examples=["900101"],
                                max_length=40)]

EXAMPLES: dict[str, Any] = {
    "list_clusters": {
        "clusters": [{
            "id": "c-T3_2-waterbody-SungaiFiksi-H5_1",
            "title": "13 threatened species in Sungai Fiksi threatened by 3.2 Mining & quarrying",
            "species": [{"taxon_id": "9000450", "name": "Fictigepazaopsis diveae",
                         "category": "VU"}],
            "threats": ["3.2"], "places": ["waterbody-SungaiFiksi"], "habitats": ["5.1"],
            "actions_needed": ["1.1"], "bucket": "habitat", "cohesion": 0.71,
        }],
        "singletons": [], "threatened": 170, "coverage": 0.62, "mean_cohesion": 0.58,
        "method": "threat x place x habitat",
    },
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


async def clusters(
    request: Request,
    services: ServicesDep,
    format: Annotated[str | None, Query(description="json or html.")] = None,  # noqa: A002
) -> Response:
    """Clusters of threatened species that share threats, places and habitats, with their
    species (and each species' CITES appendix, ex situ holdings and pledges), suggested
    bucket and cohesion."""
    fmt = choose(request, ["json", "html"], "json", format)
    data = await _call("list_clusters", services.store)
    data = await run_in_threadpool(links.with_link_cells, services.store,
                                   planning_link.to_jsonable(data))
    if fmt == "html":
        return pages.clusters_page(request, data)
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
        ("list_clusters", "/clusters", clusters, "Clusters of co-affected threatened species"),
        ("coaffected_for", "/coaffected/{species_id}", coaffected, "Co-affected species"),
        ("buckets_for", "/buckets/{species_id}", buckets, "Planning buckets for a species"),
    ]
    existing = {getattr(r, "path", "") for r in router.routes}
    for fn_name, path, endpoint, summary in specs:
        if planning_link.function(fn_name) is None or path in existing:
            continue
        content: dict[str, Any] = {"application/json": {"example": EXAMPLES[fn_name]}}
        if fn_name == "list_clusters":
            content["text/html"] = {}
        router.add_api_route(
            path, endpoint, methods=["GET"], summary=summary, response_class=Response,
            response_model=_model(fn_name),
            responses={200: {"description": summary, "content": content},
                       **problem_responses(404, 406, 422)},
        )
        added.append(path)
    return added
