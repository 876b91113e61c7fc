"""kg.planning.labels — versioned labelling functions: planning-bucket evidence from coded data.

Each labelling function (LF) is a small pure function `(Profile, LabelContext) -> Evidence |
None` with a versioned name ("lf.actions.exsitu.v1"). Change what an LF does → bump its
version (and `LABELS_VERSION`); tests pin the behaviour of every version.

Two kinds, kept apart because of label leakage:

- **hidden** LFs read the conservation section (coded actions needed) or outside research
  tables derived from it (Target-3 flags, ex situ need). They define the *gold* buckets of an
  assessment whose section is complete. In evaluation the section is hidden from the model.
- **visible** LFs read only what an assessment with an empty conservation section still has
  (category, criteria, threats, places, habitats). They are the *rules-only baseline* and
  the planner-readable reasons attached to model recommendations.

Action code → bucket (Conservation Actions Classification Scheme v2.0):

    single_species  3.2 species recovery, 3.3.x species re-introduction / benign introduction
    habitat         1.x land/water protection, 2.1 site/area management, 2.3 habitat restoration
    threat          2.2 invasive/problematic species control, 3.1.x harvest, trade and
                    population-growth management, 5.4.x compliance and enforcement
    ex_situ         3.4.x ex situ conservation (captive breeding/propagation, genome banks)

Education (4.x), legislation (5.1–5.3) and livelihood (6.x) actions are not bucket evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from kg.planning import exsitu
from kg.planning.models import BUCKETS, Bucket, Evidence
from kg.planning.profile import Profile, level

LABELS_VERSION = "labels.v1"

ACTION_BUCKETS: dict[str, tuple[str, ...]] = {
    "single_species": ("3.2", "3.3"),
    "habitat": ("1", "2.1", "2.3"),
    "threat": ("2.2", "3.1", "5.4"),
    "ex_situ": ("3.4",),
}
# threats best abated across many species at once (harvest and trade, intrusion, dams and
# water management, invasive species and disease, pollution)
THREAT_FOCUS_CLASSES = ("5.1", "5.4", "6", "7.2", "8", "9")
# threats that destroy or convert habitat (recovered by protecting or restoring habitat)
HABITAT_LOSS_CLASSES = ("1", "2", "3", "4", "5.3", "7.1", "7.3")


def _under(code: str, prefixes: Iterable[str]) -> bool:
    return any(code == p or code.startswith(p + ".") for p in prefixes)


@dataclass
class LabelContext:
    """What LFs may need beyond one profile.

    shared: "<level-2 threat>|<place key>" -> number of threatened species with that threat there
    target3: scientific name -> Target-3 flags (Bolam et al. 2021: actions, smallpop, other_threats)
    exsitu_evidence: scientific name -> ex situ evidence (Staerk et al.: strategy, need, holdings)
    exsitu_context: assessment id -> ExSituContext for the guidelines evaluation
    """

    shared: Mapping[str, int] = field(default_factory=dict)
    target3: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    exsitu_evidence: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    exsitu_context: Mapping[str, exsitu.ExSituContext] = field(default_factory=dict)
    min_shared: int = 5

    @classmethod
    def from_profiles(cls, profiles: Iterable[Profile], **kw: object) -> LabelContext:
        """Shared-threat counts over the threatened species of `profiles`."""
        c: Counter[str] = Counter()
        for p in profiles:
            if not p.threatened:
                continue
            for t in p.threat_weights(2):
                for pl in p.places:
                    c[f"{t}|{pl}"] += 1
        return cls(shared=c, **kw)  # type: ignore[arg-type]


LF = Callable[[Profile, LabelContext], Evidence | None]


@dataclass(frozen=True)
class LabellingFunction:
    name: str  # with version
    bucket: Bucket
    hidden: bool
    fn: LF


# --------------------------------------------------------------------------- hidden LFs


def _actions_lf(bucket: str, name: str) -> LF:
    prefixes = ACTION_BUCKETS[bucket]

    def lf(p: Profile, ctx: LabelContext) -> Evidence | None:
        hit = [a for a in p.actions if _under(a, prefixes)]
        if not hit:
            return None
        return Evidence(
            bucket=bucket,  # type: ignore[arg-type]
            lf=name,
            reason=f"actions needed {', '.join(hit)} (coded)",
            hidden=True,
        )

    lf.__doc__ = f"{bucket}: a coded action needed under {', '.join(prefixes)}."
    return lf


def lf_target3(p: Profile, ctx: LabelContext) -> Evidence | None:
    """single_species: flagged as needing species-specific recovery action (Target 3, Bolam et al. 2021)."""
    flags = ctx.target3.get(p.name)
    if not flags:
        return None
    why = [k for k in ("actions", "smallpop") if str(flags.get(k, "")).lower() == "yes"]
    if not why:
        return None
    text = {"actions": "needs species-specific recovery action", "smallpop": "small population"}
    return Evidence(
        bucket="single_species",
        lf="lf.target3.v1",
        reason="Target-3 flag: " + "; ".join(text[w] for w in why),
        hidden=True,
    )


def lf_exsitu_evidence(p: Profile, ctx: LabelContext) -> Evidence | None:
    """ex_situ: an outside ex situ evaluation recommends zoo or combined management, or the
    Red List records ex situ action as needed (Staerk et al. decision framework)."""
    ev = ctx.exsitu_evidence.get(p.name)
    if not ev:
        return None
    strategy = str(ev.get("strategy", "")).upper()
    needed = str(ev.get("exsitu_needed", "")) in ("1", "yes", "true")
    if strategy not in ("Z", "B") and not needed:
        return None
    parts = []
    if strategy in ("Z", "B"):
        parts.append({"Z": "ex situ (zoo) strategy", "B": "combined in situ and ex situ strategy"}[strategy])
    if needed:
        parts.append("ex situ action recorded as needed")
    return Evidence(bucket="ex_situ", lf="lf.exsitu.evidence.v1", reason="; ".join(parts), hidden=True)


# --------------------------------------------------------------------------- visible LFs


def lf_dominant_shared_threat(p: Profile, ctx: LabelContext) -> Evidence | None:
    """threat: the dominant current threat is of a class abated across species (harvest, trade,
    intrusion, dams, invasive species and disease, pollution) and is shared by at least
    `min_shared` threatened species in one of the species' places."""
    weights = p.threat_weights(2)
    if not weights:
        return None
    top = max(weights.values())
    for code in sorted(c for c, w in weights.items() if w >= top - 1e-9):
        if not _under(code, THREAT_FOCUS_CLASSES):
            continue
        best = max(((ctx.shared.get(f"{code}|{pl}", 0), pl) for pl in p.places), default=(0, ""))
        if best[0] >= ctx.min_shared:
            return Evidence(
                bucket="threat",
                lf="lf.threat.dominant_shared.v1",
                reason=f"dominant threat {code} is shared by {best[0]} threatened species in {best[1]}",
                hidden=False,
            )
    return None


def lf_habitat_loss(p: Profile, ctx: LabelContext) -> Evidence | None:
    """habitat: at least half of the current threat weight is habitat loss or conversion
    (development, agriculture, mining, transport, logging, fire, ecosystem modification)."""
    weights = p.threat_weights(2)
    total = sum(weights.values())
    if not total:
        return None
    loss = {c: w for c, w in weights.items() if _under(c, HABITAT_LOSS_CLASSES)}
    share = sum(loss.values()) / total
    if share < 0.5:
        return None
    return Evidence(
        bucket="habitat",
        lf="lf.habitat.loss.v1",
        reason=f"{share:.0%} of the threat weight is habitat loss ({', '.join(sorted(loss))})",
        hidden=False,
        strength=share,
    )


def lf_small_population(p: Profile, ctx: LabelContext) -> Evidence | None:
    """single_species: a small population (criterion C or D), possibly extinct, or Critically
    Endangered under criterion B (tiny range) — species that need targeted recovery."""
    crit = p.criteria_elements
    why = []
    if any(e[0] in "CD" for e in crit):
        why.append(f"small population (criteria {p.criteria})")
    if p.possibly_extinct:
        why.append("tagged possibly extinct")
    if p.category == "CR" and any(e[0] == "B" for e in crit):
        why.append("Critically Endangered with a tiny range (criterion B)")
    if not why:
        return None
    return Evidence(bucket="single_species", lf="lf.single.small_population.v1", reason="; ".join(why), hidden=False)


def lf_exsitu_guidelines(p: Profile, ctx: LabelContext) -> Evidence | None:
    """ex_situ: the IUCN SSC ex situ guidelines' steps (kg.planning.exsitu) find a role."""
    ev = exsitu.evaluate(p, ctx.exsitu_context.get(p.assessment_id))
    if not ev.recommended:
        return None
    return Evidence(
        bucket="ex_situ",
        lf="lf.exsitu.guidelines.v1",
        reason="IUCN SSC ex situ guidelines: " + ev.summary(),
        hidden=False,
    )


LABELLING_FUNCTIONS: tuple[LabellingFunction, ...] = (
    LabellingFunction(
        "lf.actions.single_species.v1",
        "single_species",
        True,
        _actions_lf("single_species", "lf.actions.single_species.v1"),
    ),
    LabellingFunction("lf.actions.habitat.v1", "habitat", True, _actions_lf("habitat", "lf.actions.habitat.v1")),
    LabellingFunction("lf.actions.threat.v1", "threat", True, _actions_lf("threat", "lf.actions.threat.v1")),
    LabellingFunction("lf.actions.exsitu.v1", "ex_situ", True, _actions_lf("ex_situ", "lf.actions.exsitu.v1")),
    LabellingFunction("lf.target3.v1", "single_species", True, lf_target3),
    LabellingFunction("lf.exsitu.evidence.v1", "ex_situ", True, lf_exsitu_evidence),
    LabellingFunction("lf.threat.dominant_shared.v1", "threat", False, lf_dominant_shared_threat),
    LabellingFunction("lf.habitat.loss.v1", "habitat", False, lf_habitat_loss),
    LabellingFunction("lf.single.small_population.v1", "single_species", False, lf_small_population),
    LabellingFunction("lf.exsitu.guidelines.v1", "ex_situ", False, lf_exsitu_guidelines),
)


def evidence(p: Profile, ctx: LabelContext | None = None, hidden: bool | None = None) -> list[Evidence]:
    """Evidence of every LF (only hidden or only visible ones when `hidden` is given)."""
    ctx = ctx or LabelContext()
    out = []
    for lf in LABELLING_FUNCTIONS:
        if hidden is not None and lf.hidden != hidden:
            continue
        ev = lf.fn(p, ctx)
        if ev is not None:
            out.append(ev)
    return out


def gold_buckets(p: Profile, ctx: LabelContext | None = None) -> set[str]:
    """Buckets the assessor's conservation section (and outside evidence) supports."""
    return {e.bucket for e in evidence(p, ctx, hidden=True)}


def rule_buckets(p: Profile, ctx: LabelContext | None = None) -> set[str]:
    """Buckets the visible-data rules support (the rules-only baseline)."""
    return {e.bucket for e in evidence(p, ctx, hidden=False)}


def labelled(p: Profile, ctx: LabelContext | None = None) -> bool:
    """Whether gold buckets can be derived: the section is complete (coded actions needed)."""
    return bool(p.actions)


def label_matrix(profiles: Iterable[Profile], ctx: LabelContext | None = None, hidden: bool = True) -> list[list[int]]:
    """0/1 rows over BUCKETS (gold when hidden=True, rules otherwise)."""
    fn = gold_buckets if hidden else rule_buckets
    return [[int(b in s) for b in BUCKETS] for s in (fn(p, ctx) for p in profiles)]


def action_bucket(code: str) -> str | None:
    """The bucket an action code is evidence for (None for actions that are not)."""
    for b, prefixes in ACTION_BUCKETS.items():
        if _under(code, prefixes):
            return b
    return None


def threat_class(code: str) -> str:
    """'threat' or 'habitat' (or '' when neither): which bucket a threat code points to."""
    c = level(code, 2)
    if _under(c, THREAT_FOCUS_CLASSES):
        return "threat"
    if _under(c, HABITAT_LOSS_CLASSES):
        return "habitat"
    return ""
