"""api.routes.suggest — suggestions for assessors and their accept/reject feedback."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, SettingsDep, StoreDep, TextEngineDep
from api.schemas import (
    FeedbackRequest,
    FeedbackResponse,
    SuggestRequest,
    SuggestResponse,
    problem_responses,
)
from api.services import planning_link
from api.services.annotations import record_feedback
from api.services.suggest import suggest

router = APIRouter(tags=["assessors"])


def check_text_sizes(req: SuggestRequest, limit: int) -> None:
    for name, text in req.texts.model_dump().items():
        if len(text) > limit:
            raise HTTPException(
                status_code=413,
                detail=f"texts.{name}: {len(text)} characters is over the limit of {limit} "
                "(A2P_MAX_TEXT_CHARS)",
            )


@router.post(
    "/suggest",
    response_model=SuggestResponse,
    summary="Suggestions and consistency warnings for a draft assessment",
    responses=problem_responses(404, 413, 422),
)
async def suggest_route(
    req: SuggestRequest,
    store: StoreDep,
    settings: SettingsDep,
    engine: TextEngineDep,
) -> Response:
    """Suggested action and threat codes (with status, confidence and the supporting span),
    places named in the text, planning-bucket recommendations, co-affected species already
    in the graph, and warnings: threats with no answering action, actions answering no listed
    threat, an empty or partial conservation section (with its completeness score), criteria
    that do not fit the category, and places, threats or actions mentioned but not coded."""
    check_text_sizes(req, settings.max_text_chars)
    out = await run_in_threadpool(
        suggest,
        store,
        req,
        engine,
        planning_link.function("recommend_for_bundle"),
        settings.coaffected_limit,
    )
    return Response(out.model_dump_json(), media_type="application/json")


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    status_code=201,
    summary="Record an assessor's accept or reject of a suggestion",
    responses=problem_responses(403, 404, 413, 422),
)
async def feedback_route(
    req: FeedbackRequest, store: StoreDep, services: ServicesDep, settings: SettingsDep
) -> FeedbackResponse:
    """Stored in the graph (graph/feedback) as an a2p:Feedback node with who
    (prov:wasAttributedTo) and when (prov:generatedAtTime), linked to the suggestion, which
    is stored too when it came from /suggest — so later training can use it."""
    if settings.read_only:
        raise HTTPException(status_code=403, detail="the store is open read-only")
    out = await run_in_threadpool(record_feedback, store, req)
    services.changed()
    return out
