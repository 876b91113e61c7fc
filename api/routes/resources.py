"""api.routes.resources — species and assessment datasheets (HTML, JSON, JSON-LD, Turtle)
and comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api import pages
from api.deps import BucketEngineDep, ServicesDep, SettingsDep, StoreDep, TextEngineDep
from api.negotiation import MEDIA, choose
from api.schemas import (
    AssessmentSheet,
    CommentOut,
    CommentRequest,
    SpeciesSheet,
    SuggestResponse,
    problem_responses,
)
from api.services import datasheet
from api.services.annotations import record_comment
from api.services.suggest import draft_from_sheet, suggest
from api.writes import WriteGuard

router = APIRouter(tags=["resources"])

FORMAT = Query(
    description="Representation instead of Accept: html, json, jsonld or turtle.",
    examples=["json"],
)
SHEET_FORMATS = ["json", "html", "jsonld", "turtle"]
SpeciesId = Annotated[str, Path(description="Red List taxon (SIS) id.", examples=["900101"],
                                max_length=40)]
AssessmentId = Annotated[str, Path(description="Red List assessment id.", examples=["900201"],
                                   max_length=40)]


def _sheet_responses(model: type) -> dict[int | str, dict[str, object]]:
    return {
        200: {
            "description": "The datasheet: JSON (default), an HTML page, JSON-LD or Turtle.",
            "content": {
                "text/html": {},
                "application/ld+json": {},
                "text/turtle": {},
            },
        },
        **problem_responses(404, 406),
    }


def _json(model: SuggestResponse) -> Response:
    return Response(model.model_dump_json(), media_type="application/json",
                    headers={"Vary": "Accept"})


async def _sheet(
    request: Request,
    services: ServicesDep,
    kind: str,
    ident: str,
    fmt: str,
) -> Response:
    """A datasheet in `fmt`, from the cache when it is there."""
    label = "species" if kind == "species" else "assessment"
    if fmt != "html":
        body = services.sheets.get(kind, ident, fmt)
        if body is None and kind == "species" and fmt == "json":
            body = services.sheet_store.get(ident)
        if body is not None:
            return Response(body, media_type=MEDIA[fmt], headers={"Vary": "Accept"})
    store = services.store
    if fmt in ("jsonld", "turtle"):
        rdf = datasheet.species_rdf if kind == "species" else datasheet.assessment_rdf
        body = await run_in_threadpool(rdf, store, ident, fmt)
        if body is None:
            raise HTTPException(status_code=404, detail=f"no {label} {ident!r} in the graph")
        services.sheets.put(kind, ident, fmt, body)
        return Response(body, media_type=MEDIA[fmt], headers={"Vary": "Accept"})
    build = datasheet.species_sheet if kind == "species" else datasheet.assessment_sheet
    sheet = await run_in_threadpool(build, store, ident)
    if sheet is None:
        raise HTTPException(status_code=404, detail=f"no {label} {ident!r} in the graph")
    if fmt == "html":
        if isinstance(sheet, SpeciesSheet):
            return pages.species_page(request, sheet)
        return pages.assessment_page(request, sheet)
    body = sheet.model_dump_json().encode()
    services.sheets.put(kind, ident, fmt, body)
    return Response(body, media_type="application/json", headers={"Vary": "Accept"})


@router.get(
    "/species/{species_id}",
    response_model=SpeciesSheet,
    summary="Species datasheet",
    responses=_sheet_responses(SpeciesSheet),
)
async def species(
    request: Request,
    species_id: SpeciesId,
    services: ServicesDep,
    format: Annotated[str | None, FORMAT] = None,  # noqa: A002
) -> Response:
    """The taxon, its latest assessment in full (threats, actions, places, habitats, texts,
    completeness, stored suggestions), its other assessments and the comments on it."""
    fmt = choose(request, SHEET_FORMATS, "json", format)
    return await _sheet(request, services, "species", species_id, fmt)


@router.get(
    "/assessments/{assessment_id}",
    response_model=AssessmentSheet,
    summary="Assessment datasheet",
    responses=_sheet_responses(AssessmentSheet),
)
async def assessment(
    request: Request,
    assessment_id: AssessmentId,
    services: ServicesDep,
    format: Annotated[str | None, FORMAT] = None,  # noqa: A002
) -> Response:
    """One assessment (latest or older) with its coded parts and narrative texts."""
    fmt = choose(request, SHEET_FORMATS, "json", format)
    return await _sheet(request, services, "assessment", assessment_id, fmt)


@router.get(
    "/species/{species_id}/suggestions",
    response_model=SuggestResponse,
    summary="Suggestions for a species' latest assessment as it stands in the graph",
    responses=problem_responses(404),
)
async def species_suggestions(
    species_id: SpeciesId, store: StoreDep, settings: SettingsDep, engine: TextEngineDep,
    buckets: BucketEngineDep,
) -> Response:
    """/suggest run on the latest assessment stored in the graph (used by the species page)."""
    sheet = await run_in_threadpool(datasheet.species_sheet, store, species_id)
    if sheet is None or sheet.latest is None:
        raise HTTPException(status_code=404, detail=f"no assessed species {species_id!r}")
    req = draft_from_sheet(sheet)
    out = await run_in_threadpool(
        suggest, store, req, engine, buckets.recommender(), settings.coaffected_limit,
    )
    return _json(out)


@router.post(
    "/comments",
    response_model=CommentOut,
    status_code=201,
    summary="Comment on a species' assessment (write token)",
    responses=problem_responses(401, 403, 404, 413, 422, 429),
    dependencies=[WriteGuard],
)
async def comments(req: CommentRequest, store: StoreDep, services: ServicesDep) -> CommentOut:
    """Kept in the graph (graph/comments) with the commenter's name, institution and the
    time, and shown on the species page. Needs `Authorization: Bearer <A2P_WRITE_TOKEN>`;
    each client may write A2P_WRITE_RATE_PER_MINUTE times a minute (429 over that)."""
    out = await run_in_threadpool(record_comment, store, req)
    services.changed(annotations_only=True)
    return out
