"""Paths and small types shared by the link tests (outside conftest, so tests can import them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
REDLIST = DATA / "redlist"


def taxon(sis: str) -> str:
    from kg import iris

    return iris.taxon(sis)


SHARED_DATA = HERE.parents[1].parent / "shared" / "data"


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: /ok answers 200, /fail 500, /gone 410,
    /flaky 503 twice then 200, /slow sleeps longer than the test timeout."""

    url: str
    requests: list[tuple[str, dict[str, str], dict]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def received(self, path: str) -> list[dict]:
        return [body for p, _h, body in self.requests if p == path]
