"""api.services.consistency — checks of a (draft) assessment against itself; pure functions.

Threats with no answering action, actions that answer no listed threat, an empty or partial
conservation section (with the completeness score of kg/queries/conservation_completeness.rq),
criteria that do not fit the category (IUCN Red List Categories and Criteria v3.1), and
places, threats or actions named in the text but not coded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from api.schemas import Completeness, ConsistencyWarning
from api.services.codes import Codes
from kg.build import parse_criteria

THREATENED = {"CR", "EN", "VU"}
# categories that are assessed without criteria (v3.1); NT may cite the criteria nearly met
NO_CRITERIA = {"LC", "DD", "NE", "EX", "EW", "NA", "LR/lc", "LR/cd"}

PARTS = (
    ("conservation_actions_text", "conservation-actions text"),
    ("actions_needed", "coded actions needed"),
    ("research_needed", "coded research needed"),
    ("threats", "coded threats"),
    ("habitats", "coded habitats"),
    ("places", "coded places"),
)


def completeness(
    *,
    conservation_actions_text: bool,
    actions_needed: bool,
    research_needed: bool,
    threats: bool,
    habitats: bool,
    places: bool,
) -> Completeness:
    """Completeness of the conservation section, as conservation_completeness.rq computes it."""
    have = {
        "conservation_actions_text": conservation_actions_text,
        "actions_needed": actions_needed,
        "research_needed": research_needed,
        "threats": threats,
        "habitats": habitats,
        "places": places,
    }
    score = round(100 * sum(have.values()) / len(have))
    if conservation_actions_text and actions_needed:
        section = "complete"
    elif conservation_actions_text or actions_needed:
        section = "partial"
    else:
        section = "empty"
    return Completeness(
        section=section,  # type: ignore[arg-type]
        score=score,
        filled=[label for key, label in PARTS if have[key]],
        missing=[label for key, label in PARTS if not have[key]],
    )


def section_warning(c: Completeness, category: str) -> ConsistencyWarning | None:
    if c.section == "complete":
        return None
    threatened = category in THREATENED
    if c.section == "empty":
        msg = "the conservation section is empty: no conservation-actions text and no coded actions needed"
    elif "conservation-actions text" in c.missing:
        msg = "the conservation section is partial: coded actions needed but no conservation-actions text"
    else:
        msg = "the conservation section is partial: conservation-actions text but no coded actions needed"
    if threatened:
        msg += f" (a {category} assessment should say what is needed)"
    return ConsistencyWarning(
        kind="conservation_section", message=f"{msg}; completeness {c.score}%",
        field="conservation_actions",
    )


def threat_action_warnings(
    codes: Codes, threats: Sequence[str], actions_needed: Sequence[str]
) -> list[ConsistencyWarning]:
    out: list[ConsistencyWarning] = []
    for t in dict.fromkeys(threats):
        if not any(codes.action_answers_threat(a, t) for a in actions_needed):
            out.append(
                ConsistencyWarning(
                    kind="threat_without_action",
                    message=f"threat {t} ({codes.label('threat', t)}) has no coded action needed "
                    "that answers it",
                    codes=[t],
                    field="threats",
                )
            )
    for a in dict.fromkeys(actions_needed):
        answered = codes.threats_answered(a)
        if not answered:  # general actions (research, education...) answer no one threat
            continue
        if threats and not any(codes.action_answers_threat(a, t) for t in threats):
            out.append(
                ConsistencyWarning(
                    kind="action_without_threat",
                    message=f"action {a} ({codes.label('action', a)}) answers none of the listed "
                    "threats",
                    codes=[a],
                    field="actions",
                )
            )
    return out


_CRIT_PART = re.compile(r"^[A-E]")


def criteria_warnings(category: str, criteria: str) -> list[ConsistencyWarning]:
    """Does the criteria string fit the category (IUCN Categories and Criteria v3.1)?"""
    out: list[ConsistencyWarning] = []

    def warn(msg: str) -> None:
        out.append(ConsistencyWarning(kind="criteria_category", message=msg, field="criteria"))

    crit = criteria.strip()
    if not category:
        if crit:
            warn("criteria are given but no category")
        return out
    if category in THREATENED and not crit:
        warn(f"a {category} assessment must state the criteria it meets")
        return out
    if category in NO_CRITERIA and crit:
        warn(f"category {category} takes no criteria, but {crit!r} is given")
        return out
    if not crit:
        return out
    elements = parse_criteria(crit)
    if not elements:
        warn(f"the criteria {crit!r} cannot be parsed (expected e.g. 'B1ab(iii)+2ab(iii)')")
        return out
    if category == "NT":
        return out
    for e in elements:
        if e.startswith("D2") and category != "VU":
            warn(f"criterion D2 applies only to Vulnerable, not {category}")
        if e == "D1" and category != "VU":
            warn(f"criterion D1 applies only to Vulnerable, not {category} (use D)")
    # B needs at least two of a, b, c under each of B1 / B2
    for head in ("B1", "B2"):
        subs = {e[2] for e in elements if e.startswith(head) and len(e) > 2}
        if any(e.startswith(head) for e in elements) and len(subs & {"a", "b", "c"}) < 2:
            warn(f"criterion {head} needs at least two of the subcriteria a, b and c")
    if any(e in ("A", "B", "C") for e in elements):
        warn("criteria A, B and C need a sub-criterion (e.g. A2c, B1ab(iii), C2a(i))")
    return out


def not_coded_warnings(
    kind: str, mentioned: Iterable[tuple[str, str, str, int, int]], coded: set[str]
) -> list[ConsistencyWarning]:
    """(code, label, field, start, end) mentioned in text but absent from `coded`."""
    wkind = {"place": "place_not_coded", "threat": "threat_not_coded",
             "action": "action_not_coded"}[kind]
    out: list[ConsistencyWarning] = []
    seen: set[str] = set()
    for code, label, field, start, end in mentioned:
        if code in coded or code in seen:
            continue
        seen.add(code)
        what = {"place": "place", "threat": "threat", "action": "action"}[kind]
        out.append(
            ConsistencyWarning(
                kind=wkind,  # type: ignore[arg-type]
                message=f"{what} {label or code} ({code}) is mentioned in the {field or 'text'} "
                "text but not coded",
                codes=[code],
                field=field,
                start=start,
                end=end,
            )
        )
    return out
