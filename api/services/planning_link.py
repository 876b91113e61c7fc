"""api.services.planning_link — the optional planning module (api.services.planning), if present.

The planning engineer's module provides `buckets_for(store, taxon_id)`,
`coaffected_for(store, taxon_id, k)`, `list_clusters(store)` and
`recommend_for_bundle(bundle)`. This link imports it lazily and reports why it is
unavailable, so routes and the suggestion service can leave its parts out (no stubs).
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from types import ModuleType
from typing import Any

log = logging.getLogger("a2p.planning")
FUNCTIONS = ("buckets_for", "coaffected_for", "list_clusters", "recommend_for_bundle")


@cache
def _module() -> tuple[ModuleType | None, str]:
    try:
        mod = importlib.import_module("api.services.planning")
    except Exception as exc:  # noqa: BLE001 - any import failure means "unavailable"
        return None, f"api.services.planning cannot be imported ({type(exc).__name__}: {exc})"
    return mod, ""


def function(name: str) -> Any | None:
    """The planning function `name`, or None when the module or function is absent."""
    mod, _ = _module()
    return getattr(mod, name, None) if mod is not None else None


def status() -> str:
    mod, err = _module()
    if mod is None:
        return f"unavailable: {err}"
    missing = [f for f in FUNCTIONS if not hasattr(mod, f)]
    return "available" if not missing else f"partial (missing {', '.join(missing)})"


def to_jsonable(value: Any) -> Any:
    """Planning results (pydantic models, dataclasses, lists) as JSON-ready data."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return to_jsonable(asdict(value))
    return value
