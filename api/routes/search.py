"""api.routes.search — full-text and semantic search across every narrative field."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api import pages
from api.deps import ServicesDep
from api.negotiation import choose
from api.schemas import SearchResults, problem_responses

router = APIRouter(tags=["planners"])
INDEX_WAIT_SECONDS = 20.0


@router.get(
    "/search",
    response_model=SearchResults,
    summary="Search species and narrative texts",
    responses={200: {"content": {"text/html": {}}, "description": "Ranked hits."},
               **problem_responses(406, 422)},
)
async def search(
    request: Request,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find.",
                            examples=["peat drainage"])],
    mode: Annotated[
        Literal["text", "semantic", "name"],
        Query(description="text: ranked full-text (FTS5, BM25) over every narrative field and "
              "name; semantic: nearest texts by sentence embeddings (e.g. 'species threatened "
              "by peat drainage'); name: species names only."),
    ] = "text",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    format: Annotated[str | None, Query(description="json or html.")] = None,  # noqa: A002
) -> Response:
    """Ranked hits with highlighted snippets (HTML-escaped, `<mark>` around matches)."""
    fmt = choose(request, ["json", "html"], "json", format)
    index = services.search
    if index.state == "not built":
        index.start(background=True)
    await run_in_threadpool(index.wait, INDEX_WAIT_SECONDS)
    results = await run_in_threadpool(index.search, q, mode, limit, offset)
    if fmt == "html":
        return pages.search_page(request, results)
    return Response(results.model_dump_json(), media_type="application/json")
