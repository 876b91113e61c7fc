"""api.routes.suggest — suggestions for assessors and their accept/reject feedback."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import BucketEngineDep, ServicesDep, SettingsDep, StoreDep, TextEngineDep
from api.schemas import (
    FeedbackRequest,
    FeedbackResponse,
    SuggestRequest,
    SuggestResponse,
    problem_responses,
)
from api.services.annotations import record_feedback
from api.services.suggest import suggest
from api.writes import WriteGuard

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
    buckets: BucketEngineDep,
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
        buckets.recommender(),
        settings.coaffected_limit,
    )
    return Response(out.model_dump_json(), media_type="application/json")


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    status_code=201,
    summary="Record an assessor's accept or reject of a suggestion (write token)",
    responses=problem_responses(401, 403, 404, 413, 422, 429),
    dependencies=[WriteGuard],
)
async def feedback_route(
    req: FeedbackRequest, store: StoreDep, services: ServicesDep
) -> FeedbackResponse:
    """Stored in the graph (graph/feedback) as an a2p:Feedback node with who
    (prov:wasAttributedTo) and when (prov:generatedAtTime), linked to the suggestion, which
    is stored too when it came from /suggest — so later training can use it. Needs
    `Authorization: Bearer <A2P_WRITE_TOKEN>`; each client may write
    A2P_WRITE_RATE_PER_MINUTE times a minute (429 over that)."""
    out = await run_in_threadpool(record_feedback, store, req)
    services.changed(annotations_only=True)
    return out
