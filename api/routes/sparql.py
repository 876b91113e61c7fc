"""api.routes.sparql — the SPARQL 1.1 Protocol endpoint (GET and POST, query and update)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from api import pages
from api.deps import ServicesDep, SettingsDep, StoreDep
from api.schemas import problem_responses
from api.services.sparql import Job, SparqlError, check_token, run_update, screen

router = APIRouter(tags=["sparql"])

EXAMPLE_QUERY = (
    "PREFIX a2p: <https://w3id.org/assess2plan/ontology#>\n"
    "SELECT ?taxon ?name WHERE { ?taxon a2p:scientificName ?name } LIMIT 10"
)
RESULT_CONTENT = {
    "application/sparql-results+json": {"example": {"head": {"vars": ["name"]},
                                                    "results": {"bindings": []}}},
    "application/sparql-results+xml": {},
    "text/csv": {},
    "text/tab-separated-values": {},
    "text/turtle": {},
    "application/ld+json": {},
    "application/n-triples": {},
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Results by content negotiation: SELECT/ASK as SPARQL JSON, XML, CSV or "
        "TSV; CONSTRUCT/DESCRIBE as Turtle, JSON-LD, N-Triples or RDF/XML. A result cut at "
        "the row cap carries the header `X-A2P-Truncated: <cap>` and a marker in the body.",
        "content": RESULT_CONTENT,
    },
    204: {"description": "Update applied."},
    **problem_responses(400, 403, 406, 413, 415, 422, 503),
}


async def _execute(
    request: Request,
    services: ServicesDep,
    settings: SettingsDep,
    query: str,
    fmt: str | None,
    default_graphs: list[str],
    named_graphs: list[str],
) -> Response:
    screen(query, max_chars=settings.sparql_max_query_chars,
           max_depth=settings.sparql_max_nesting)
    job = Job(query, request.headers.get("accept"), fmt, default_graphs, named_graphs)
    result = await services.sparql.run(job, disconnected=request.is_disconnected)
    headers = {"Vary": "Accept"}
    if result.truncated_at is not None:
        headers["X-A2P-Truncated"] = str(result.truncated_at)
    return Response(result.body, status_code=result.status, media_type=result.media_type,
                    headers=headers)


async def _update(
    store: StoreDep,
    services: ServicesDep,
    settings: SettingsDep,
    text: str,
    authorization: str | None,
) -> Response:
    token = settings.write_token.get_secret_value() if settings.write_token else None
    if not check_token(token, authorization):
        raise SparqlError(
            403,
            "SPARQL Update refused",
            "this endpoint is read-only; updates need `Authorization: Bearer <A2P_WRITE_TOKEN>`"
            if token else "this endpoint is read-only (no A2P_WRITE_TOKEN is configured)",
        )
    if settings.read_only:
        raise SparqlError(403, "store is read-only", "the server opened the store read-only")
    screen(text, max_chars=settings.sparql_max_query_chars,
           max_depth=settings.sparql_max_nesting, update=True)
    await asyncio.to_thread(run_update, store, text, services.sparql)
    services.content_changed()
    return Response(status_code=204)


@router.get(
    "/sparql",
    summary="SPARQL query (GET)",
    responses=RESPONSES,
    response_class=Response,
    openapi_extra={"x-examples": {"query": EXAMPLE_QUERY}},
)
async def sparql_get(
    request: Request,
    services: ServicesDep,
    settings: SettingsDep,
    query: Annotated[
        str | None,
        Query(description="The SPARQL query.", examples=[EXAMPLE_QUERY]),
    ] = None,
    default_graph_uri: Annotated[
        list[str] | None, Query(alias="default-graph-uri", description="Default graph(s).")
    ] = None,
    named_graph_uri: Annotated[
        list[str] | None, Query(alias="named-graph-uri", description="Named graph(s).")
    ] = None,
    format: Annotated[  # noqa: A002 - the protocol-style parameter name
        str | None,
        Query(description="Result format instead of Accept: json, xml, csv, tsv, turtle, "
              "jsonld, ntriples.", examples=["json"]),
    ] = None,
) -> Response:
    """Run a SPARQL query. Without `query`, browsers get the SPARQL editor page."""
    if query is None:
        if "text/html" in request.headers.get("accept", ""):
            return pages.sparql_editor(request)
        raise SparqlError(400, "missing query", "give the query in the `query` parameter")
    return await _execute(request, services, settings, query, format,
                          default_graph_uri or [], named_graph_uri or [])


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    responses=RESPONSES,
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "description": "A query (`application/sparql-query`), an update "
            "(`application/sparql-update`, needs the write token) or a form with `query` or "
            "`update` (`application/x-www-form-urlencoded`).",
            "content": {
                "application/sparql-query": {
                    "schema": {"type": "string"}, "example": EXAMPLE_QUERY,
                },
                "application/sparql-update": {
                    "schema": {"type": "string"},
                    "example": "INSERT DATA { GRAPH <https://w3id.org/assess2plan/graph/notes> "
                    "{ <https://w3id.org/assess2plan/id/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" } }",
                },
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "update": {"type": "string"},
                            "default-graph-uri": {"type": "string"},
                            "named-graph-uri": {"type": "string"},
                        },
                    },
                    "example": {"query": EXAMPLE_QUERY},
                },
            },
        }
    },
)
async def sparql_post(
    request: Request,
    store: StoreDep,
    services: ServicesDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    format: Annotated[str | None, Query(description="Result format instead of Accept.")] = None,  # noqa: A002
) -> Response:
    """Run a SPARQL query or (with the write token) an update."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SparqlError(400, "body is not UTF-8") from None
    params = {k: v for k, v in request.query_params.multi_items()}
    default_graphs = request.query_params.getlist("default-graph-uri")
    named_graphs = request.query_params.getlist("named-graph-uri")
    if ctype == "application/sparql-query":
        return await _execute(request, services, settings, text, format, default_graphs,
                              named_graphs)
    if ctype == "application/sparql-update":
        return await _update(store, services, settings, text, authorization)
    if ctype == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(text, keep_blank_values=True, max_num_fields=100)
        except ValueError:
            raise SparqlError(400, "malformed form", "more than 100 form fields") from None
        query, update = form.get("query"), form.get("update")
        if query and update:
            raise SparqlError(400, "both query and update given", "send one of them")
        if update:
            return await _update(store, services, settings, update[0], authorization)
        if not query:
            raise SparqlError(400, "missing query", "the form has no `query` or `update` field")
        return await _execute(
            request, services, settings, query[0], format or params.get("format"),
            default_graphs + form.get("default-graph-uri", []),
            named_graphs + form.get("named-graph-uri", []),
        )
    raise SparqlError(
        415,
        "unsupported media type",
        "POST application/sparql-query, application/sparql-update or "
        "application/x-www-form-urlencoded",
    )
