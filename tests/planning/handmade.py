"""Hand-made planning fixtures: profiles built in code and the paths of the test data."""

from __future__ import annotations

from pathlib import Path

from kg.planning.profile import Profile, ThreatFact

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "data" / "mini-export"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def profile(
    aid: str,
    category: str = "EN",
    threats: tuple[tuple[str, str, str, str], ...] | tuple[str, ...] = (),
    places: tuple[str, ...] = ("ID",),
    **kw: object,
) -> Profile:
    """A hand-made profile; threats as codes ("7.2.10") or (code, timing, scope, severity)."""
    facts = tuple(ThreatFact(t, "Ongoing") if isinstance(t, str) else ThreatFact(*t) for t in threats)
    return Profile(
        assessment_id=aid,
        taxon_id=kw.pop("taxon_id", f"t{aid}"),  # type: ignore[arg-type]
        name=kw.pop("name", f"Fictus species{aid}"),  # type: ignore[arg-type]
        category=category,
        threats=facts,
        places=places,
        **kw,  # type: ignore[arg-type]
    )
