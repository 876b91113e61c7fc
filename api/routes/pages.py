"""api.routes.pages — the home page, health and the query library (for the SPARQL editor)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import pages
from api.deps import ServicesDep, SettingsDep, TextEngineDep
from api.schemas import Health, LibraryQueryOut
from api.services import planning_link
from api.services.suggest import COAFFECTED_INDEX
from kg.query import library

router = APIRouter()


@router.get("/", response_class=Response, include_in_schema=False)
async def home(request: Request, services: ServicesDep) -> Response:
    return pages.home_page(request)


@router.get("/health", response_model=Health, tags=["service"], summary="Service health")
async def health(services: ServicesDep, settings: SettingsDep, text: TextEngineDep) -> Health:
    """The store in use and the state of the optional components."""
    return Health(
        status="ok",
        store=services.store.url,
        read_only=settings.read_only,
        search=services.search.state
        + ("" if services.search.state != "ready" else f"; semantic {services.search.semantic_state}"),
        tables=services.tables.state(),
        nlp=text.status(),
        planning=planning_link.status(),
        coaffected_index=COAFFECTED_INDEX.state(services.store),
        sheets=services.sheet_store.state(),
    )


@router.get("/queries", response_model=list[LibraryQueryOut], tags=["service"],
            summary="The query library (examples for /sparql)")
async def queries() -> list[LibraryQueryOut]:
    """Every query of kg/queries with its title, description and bindable parameters."""
    return [
        LibraryQueryOut(name=q.name, title=q.title, description=q.description,
                        params=list(q.params), text=q.text)
        for q in library().values()
    ]
