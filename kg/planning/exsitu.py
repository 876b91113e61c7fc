"""kg.planning.exsitu — the decision steps of the IUCN SSC ex situ guidelines as a reviewable evaluation.

IUCN/SSC (2014) Guidelines on the Use of Ex Situ Management for Species Conservation, v2.0,
set out five steps for deciding whether ex situ management has a role in a species'
conservation:

    1. compile a status review of the species, including a threat analysis;
    2. define the role(s) ex situ management would play in its overall conservation;
    3. determine the nature and characteristics of the ex situ population needed;
    4. define the resources and expertise needed, and appraise feasibility and risks;
    5. make an informed and transparent decision.

`evaluate(profile)` walks the steps with the coded data of one assessment (category,
criteria, trend, threats with timing/scope/severity, lost places, taxonomic class) plus
optional outside evidence (`ExSituContext`: zoo holdings, breeding programmes, ex situ roles
named in the text), and records what each step found. Roles are the skos:notation values of
a2p:ExSituRoles in ontology/assess2plan.ttl. It is a screening aid for a planner, not a
decision: every finding says which data it rests on. Pure functions, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.planning.models import ExSituEvaluation, ExSituStep
from kg.planning.profile import Profile, level
from kg.schemes import exsitu_roles

VERSION = "exsitu.guidelines.v1"


# Step 3: what kind of ex situ population each role needs (paraphrasing the guidelines' Annex)
POPULATION_NEEDED: dict[str, str] = {
    "insurance": "a long-term, genetically representative population founded from across the range",
    "rescue": "a temporary holding population, returned once the threat has been removed",
    "demographic": "head-starting or captive rearing of early life stages for release",
    "genetic": "managed transfers of individuals or gametes to restore gene flow",
    "reintroduction": "a release-ready stock of sufficient size, health and behavioural competence",
    "genome_bank": "cryopreserved gametes, embryos or tissue (a genome resource bank)",
    "preservation": "a self-sustaining ex situ population as the species' only population",
    "research": "a study population for research on husbandry, biology or threats",
    "education": "a display population for awareness programmes",
    "ecological_replacement": "a population of a substitute taxon to restore an ecological function",
}

# Threat reversibility, by level-2 then level-1 code: can in situ action remove the threat in
# the species' time frame? "no": climate, invasive species and disease, dams and water
# management, urban development, mining, geological events; "slow": agriculture, fire and
# other ecosystem modifications, pollution, transport corridors; "yes": harvest, disturbance.
_REVERSIBILITY: dict[str, str] = {
    "1": "no",
    "2": "slow",
    "3": "no",
    "4": "slow",
    "5": "yes",
    "6": "yes",
    "7": "slow",
    "7.2": "no",
    "8": "no",
    "9": "slow",
    "10": "no",
    "11": "no",
    "12": "slow",
}
# catastrophic, sudden threats that can call for a temporary rescue
_CATASTROPHIC = frozenset({"7.1", "10.1", "10.2", "10.3", "11.2", "11.4", "8.4", "8.5", "8.1", "9.2"})
# classes with established ex situ husbandry or propagation (for the feasibility step)
_HUSBANDRY: dict[str, str] = {
    "AMPHIBIA": "established amphibian husbandry (e.g. Amphibian Ark programmes)",
    "ACTINOPTERYGII": "established freshwater fish husbandry and aquaculture techniques",
    "AVES": "established avicultural techniques",
    "MAMMALIA": "established zoo husbandry for many mammals, at high cost for large species",
    "REPTILIA": "established reptile husbandry and head-starting",
    "ANTHOZOA": "established coral propagation and coral gamete cryopreservation",
    "MAGNOLIOPSIDA": "established seed banking and botanic-garden cultivation",
    "LILIOPSIDA": "established seed banking and botanic-garden cultivation",
    "PINOPSIDA": "established seed banking and arboretum cultivation",
}
_COSTLY = frozenset({"PRIMATES", "PROBOSCIDEA", "CETACEA", "PERISSODACTYLA"})


@dataclass(frozen=True)
class ExSituContext:
    """Outside evidence for the feasibility and role steps (all optional)."""

    zoo_holdings: int | None = None  # institutions holding the species (e.g. Species360 ZIMS)
    breeding_programme: bool | None = None  # a managed programme exists (EEP, SSP, Amphibian Ark)
    text_roles: tuple[str, ...] = ()  # ex situ roles named in the narrative (nlp mentions)
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def reversibility(code: str) -> str:
    return _REVERSIBILITY.get(level(code, 2), _REVERSIBILITY.get(level(code, 1), "slow"))


def _small_population(p: Profile) -> bool:
    return any(e[0] in "CD" for e in p.criteria_elements)


def evaluate(p: Profile, ctx: ExSituContext | None = None) -> ExSituEvaluation:
    """Walk the five decision steps for one assessment; see the module docstring."""
    ctx = ctx or ExSituContext()
    cat = p.category
    crit = p.criteria_elements
    small = _small_population(p)
    fragmented = any(e[:2] in ("B1", "B2") and e[2:3] == "a" for e in crit)
    threats = sorted(p.current_threats(), key=lambda t: -t.impact)
    major = [t for t in threats if t.impact >= 0.5] or threats[:2]
    irrev = [t for t in major if reversibility(t.code) == "no"]
    catastrophic = [
        t
        for t in threats
        if level(t.code, 2) in _CATASTROPHIC and t.severity in ("Very Rapid Declines", "Rapid Declines")
    ]
    ew = cat == "EW" or p.possibly_extinct_in_the_wild

    # ---- step 1: status review and threat analysis
    s1: list[str] = [f"Red List category {cat}" + (f" under {p.criteria}" if p.criteria else "")]
    if small:
        s1.append("small population (criterion C or D)")
    if fragmented:
        s1.append("severely fragmented or few locations (criterion B, subcriterion a)")
    if p.trend:
        s1.append(f"population trend {p.trend.lower()}")
    for t in major:
        rev = reversibility(t.code)
        what = {
            "no": "not reversible in the short term",
            "slow": "slow to reverse",
            "yes": "reversible by in situ management",
        }[rev]
        s1.append(f"threat {t.code} ({what}; impact {t.impact:.2f})")
    if p.lost_places:
        s1.append(f"lost from {len(p.lost_places)} place(s) of its range")
    at_risk = cat in ("CR", "EN", "EW") or (cat == "VU" and (small or bool(irrev)))
    s1_supports: bool | None = at_risk and (bool(irrev) or small or ew or cat == "CR")
    if not p.threats and not small and not ew:
        s1.append("no coded threats: the threat analysis cannot be made from coded data")
        s1_supports = None

    # ---- step 2: roles
    roles: list[tuple[str, str]] = []
    if ew:
        roles.append(("preservation", "extinct or possibly extinct in the wild"))
    if at_risk and irrev:
        codes = ", ".join(sorted({level(t.code, 2) for t in irrev}))
        roles.append(("insurance", f"threats {codes} cannot be removed in the short term"))
    if catastrophic and cat in ("CR", "EN"):
        codes = ", ".join(sorted({level(t.code, 2) for t in catastrophic}))
        roles.append(("rescue", f"sudden, severe threats ({codes}) may need a temporary rescue"))
    if small and cat in ("CR", "EN") and any(level(t.code, 1) in ("5", "8") for t in threats):
        roles.append(("demographic", "small population losing individuals to harvest or predators"))
    if small and fragmented:
        roles.append(("genetic", "small, fragmented population at risk of genetic erosion"))
    if p.lost_places and cat in ("CR", "EN", "VU") and (small or p.trend == "Decreasing"):
        roles.append(("reintroduction", "extirpated from part of its range; a source stock for return"))
    if cat == "CR" and (irrev or ew) and p.class_.upper() in ("ANTHOZOA", "AMPHIBIA", "ACTINOPTERYGII"):
        roles.append(("genome_bank", "critically endangered with threats beyond in situ control"))
    labels = exsitu_roles().labels()
    for r in ctx.text_roles:
        if r in labels and r not in {x for x, _ in roles}:
            roles.append((r, "named in the assessment text"))
    s2 = [f"{labels[r]}: {why}" for r, why in roles] or [
        "no conservation role for ex situ management follows from the coded data"
    ]

    # ---- step 3: nature of the ex situ population
    s3 = [f"{labels[r]} needs {POPULATION_NEEDED[r]}" for r, _ in roles]

    # ---- step 4: resources, expertise, feasibility and risks
    s4: list[str] = []
    feasible: bool | None = None
    cls = p.class_.upper()
    if cls in _HUSBANDRY:
        s4.append(f"feasibility: {_HUSBANDRY[cls]}")
        feasible = True
    else:
        s4.append("feasibility: no established husbandry known for this class (needs expert review)")
    if ctx.zoo_holdings is not None:
        if ctx.zoo_holdings > 0:
            s4.append(f"already held by {ctx.zoo_holdings} institution(s){_src(ctx)}")
            feasible = True
        else:
            s4.append(f"not held in any zoo or aquarium{_src(ctx)}: founders must come from the wild")
    if ctx.breeding_programme:
        s4.append(f"a managed breeding programme exists{_src(ctx)}")
        feasible = True
    if p.order.upper() in _COSTLY:
        s4.append("risk: long generation time and high cost per individual")
    if small:
        s4.append("risk: removing founders from a small wild population")
    if any(level(t.code, 1) == "8" for t in threats):
        s4.append("risk: disease transmission between ex situ and wild populations")
    if roles and not s4[1:]:
        s4.append("risk: adaptation to captivity over generations (minimise time ex situ)")

    # ---- step 5: decision
    recommended = bool(roles) and s1_supports is not False and feasible is not False
    if ew:
        recommended = True
    role_codes = [r for r, _ in roles]
    if recommended:
        s5 = [
            "ex situ management has a defined role: " + ", ".join(role_codes),
            "review the feasibility and risks above with the relevant ex situ specialists",
        ]
    elif roles:
        s5 = ["roles are possible, but the status review does not show that they are needed now"]
    else:
        s5 = ["in situ action alone is indicated by the coded data"]
    steps = [
        ExSituStep(step=1, title="Status review and threat analysis", findings=s1, supports=s1_supports),
        ExSituStep(step=2, title="Role(s) of ex situ management", findings=s2, supports=bool(roles)),
        ExSituStep(step=3, title="Nature of the ex situ population", findings=s3 or ["none needed"]),
        ExSituStep(step=4, title="Resources, feasibility and risks", findings=s4, supports=feasible),
        ExSituStep(step=5, title="Decision", findings=s5, supports=recommended),
    ]
    return ExSituEvaluation(
        recommended=recommended, roles=role_codes if recommended else [], steps=steps, version=VERSION
    )


def _src(ctx: ExSituContext) -> str:
    return f" ({ctx.source})" if ctx.source else ""
