"""Property-based fuzzing of every endpoint from the OpenAPI schema (schemathesis): no 5xx.

Runs against a live server on its own copy of the synthetic graph (fuzzed comments and
feedback land there, not in the graph the other tests read).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

from kg.load import ingest  # noqa: E402
from kg.store import open_store  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, download: Path, app_factory: Any,
                live_server_factory: Any) -> Iterator[Any]:
    st = open_store(f"oxigraph:{tmp_path_factory.mktemp('fuzz') / 'graph'}")
    ingest([download], st)
    # a small time limit keeps fuzzed SPARQL from running long; 503 is then the answer
    app = app_factory(st, sparql_timeout=5.0, sparql_processes=2)
    with live_server_factory(app) as server:
        yield server
    st.close()


def test_fuzz_every_operation(fuzz_server: Any) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=60, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @operation.as_strategy_test() if hasattr(operation, "as_strategy_test") else _given(operation)
        def run(case: Any) -> None:
            nonlocal ran
            ran += 1
            response = case.call(base_url=fuzz_server.url, timeout=30)
            if response.status_code >= 500 and response.status_code != 503:
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {response.text[:300]}")
            elif response.status_code == 503:
                assert "time limit" in response.text or "not ready" in response.text, response.text
            try:
                case.validate_response(response, checks=[not_a_server_error,
                                                         content_type_conformance,
                                                         response_schema_conformance])
            except Exception as exc:  # noqa: BLE001 - collected and reported below
                if response.status_code != 503:
                    failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:300]}")

        run()
    print(f"fuzzed {ran} requests")
    assert ran > 100
    assert not failures, "\n".join(failures[:20])


def _given(operation: Any) -> Any:
    from hypothesis import given

    return given(case=operation.as_strategy())
