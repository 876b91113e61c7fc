"""api.openapi — the OpenAPI document, with every error answer described as a Problem
(`application/problem+json`), which is what api.errors sends."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.schemas import FieldError, Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title, version=app.version, summary=app.summary,
            description=app.description, routes=app.routes, tags=app.openapi_tags,
        )
        comps = spec.setdefault("components", {}).setdefault("schemas", {})
        comps["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        comps["Problem"].pop("$defs", None)
        comps["FieldError"] = FieldError.model_json_schema()
        for ops in spec.get("paths", {}).values():
            for op in ops.values():
                for code, resp in op.get("responses", {}).items():
                    if code.isdigit() and int(code) >= 400:
                        resp["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}
                        if code == "422":
                            resp["description"] = (
                                "Invalid request: the fields at fault are named in `errors`."
                            )
        for unused in ("HTTPValidationError", "ValidationError"):
            comps.pop(unused, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
