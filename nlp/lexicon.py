"""nlp.lexicon — hand-written cue lexicons: action and threat vocabulary per IUCN code, status cues.

Written for this project from general conservation vocabulary and the public scheme labels
(no Red List narrative text). They serve three purposes: choosing candidate sentences,
anchoring a mention's evidence span on the phrase that names the action or threat, and a
small block of indicator features for the supervised mapper (`nlp.features`).

Patterns are case-insensitive regular expressions matched on word boundaries.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache

__all__ = ["ACTION_CUES", "EXSITU_CUES", "Lexicon", "THREAT_CUES", "lexicon"]

# --------------------------------------------------------------------------- actions v2.0

ACTION_CUES: dict[str, tuple[str, ...]] = {
    "1.1": (
        r"protected areas?",
        r"national (?:natural )?parks?",
        r"nature reserves?",
        r"reserves?",
        r"sanctuar(?:y|ies)",
        r"marine protected areas?",
        r"MPAs?",
        r"(?:marine|wildlife|forest) parks?",
        r"conservation areas?",
        r"world heritage sites?",
        r"ramsar sites?",
        r"biosphere reserves?",
        r"no-take (?:zones?|areas?)",
        r"(?:site|area) protection",
        r"gazett\w+",
        r"designat\w+ (?:as|of)",
        r"protected area network",
        r"key biodiversity areas?",
    ),
    "1.2": (
        r"habitat protection",
        r"protect(?:ion of|ing)? (?:the |its |remaining |key )*"
        r"(?:habitats?|forests?|wetlands?|nesting sites|breeding sites|roost\w*)",
        r"easements?",
        r"water rights",
        r"buffer zones?",
        r"(?:resource|habitat) (?:& |and )?protection",
        r"protection of (?:the )?(?:remaining )?habitat",
        r"conservation concessions?",
        r"land acquisition",
    ),
    "2.1": (
        r"(?:site|area|park|reserve|protected area) management",
        r"management of (?:the |these |new |existing )?"
        r"(?:protected areas?|sites?|parks?|reserves?)",
        r"management plans?",
        r"(?:ranger|anti-poaching) patrols?",
        r"patrol\w*",
        r"rangers?",
        r"effective(?:ly)? manag\w+",
        r"management effectiveness",
        r"wardens?",
        r"zoning",
    ),
    "2.2": (
        r"invasive(?: species)?(?: control| management| eradication)?",
        r"eradicat\w+",
        r"control of (?:invasive |introduced |feral |alien )?"
        r"(?:rats?|cats?|goats?|pigs?|predators?|weeds?|species|plants?)",
        r"biosecurity",
        r"feral",
        r"alien species",
        r"pest control",
        r"(?:disease|pathogen|parasite) (?:management|control)",
        r"predator control",
        r"(?:crown[- ]of[- ]thorns|cots) (?:control|removal)",
        r"culling of (?:invasive|introduced|feral)",
    ),
    "2.3": (
        r"restor\w+",
        r"rehabilitat\w+ (?:of )?(?:the )?(?:habitat|forest|wetland|reef)s?",
        r"reforest\w*",
        r"re-?plant\w*",
        r"(?:habitat|forest|wildlife) corridors?",
        r"connectivity",
        r"fire management",
        r"pollution control",
        r"reduc\w+ (?:of )?(?:pollution|runoff|sedimentation)",
        r"water quality",
        r"natural process(?:es)?",
    ),
    "3.1": (r"species management",),
    "3.1.1": (
        r"harvest(?:ing)? (?:management|regulations?|controls?|limits?)",
        r"hunting (?:bans?|regulations?|restrictions?|seasons?)",
        r"fishing (?:bans?|regulations?|restrictions?|closures?|seasons?)",
        r"bans? on (?:hunting|fishing|harvest\w*|collection)",
        r"quotas?",
        r"size limits?",
        r"closed seasons?",
        r"fisher(?:y|ies) management",
        r"sustainable (?:harvest\w*|use|fisher\w+)",
        r"bag limits?",
        r"catch limits?",
        r"regulat\w+ (?:of )?(?:hunting|harvest\w*|fishing|collection)",
    ),
    "3.1.2": (
        r"trade (?:management|regulations?|controls?|bans?|restrictions?)",
        r"export (?:quotas?|bans?|permits?)",
        r"regulat\w+ (?:of )?(?:the )?(?:international |domestic )?trade",
        r"(?:control|monitor\w*) (?:of )?(?:the )?trade",
    ),
    "3.1.3": (r"cull\w*", r"fertility control", r"contracept\w+", r"limiting population growth"),
    "3.2": (
        r"(?:species )?recovery (?:plans?|programmes?|programs?|management|actions?|efforts?)",
        r"species recovery",
        r"supplementa(?:ry|l) feeding",
        r"nest(?:ing)? boxes",
        r"artificial nest\w*",
        r"vaccinat\w+",
        r"population management",
        r"(?:species|conservation) action plans?",
        r"hand-rear\w+",
        r"manual pollination",
        r"nest protection",
        r"clutch manipulation",
        r"genetic management",
        r"assisted (?:reproduction|breeding)",
    ),
    "3.3": (r"species re-?introduction",),
    "3.3.1": (
        r"re-?introduc\w+",
        r"translocat\w+",
        r"(?:re)?stock\w*",
        r"reinforcement",
        r"release[sd]? (?:in)?to the wild",
        r"releas\w+ of captive",
        r"conservation translocations?",
    ),
    "3.3.2": (
        r"benign introductions?",
        r"assisted colon\w+",
        r"introduc\w+ (?:to|into) (?:a )?new (?:sites?|areas?|islands?)",
    ),
    "3.4": (r"ex[- ]situ", r"ex-situ conservation"),
    "3.4.1": (
        r"captive[- ]breeding",
        r"captive (?:populations?|programmes?|programs?|colon\w+|management)",
        r"bred in captivity",
        r"breeding (?:programmes?|programs?|centres?|centers?|facilit\w+)",
        r"artificial propagation",
        r"propagat\w+",
        r"zoos?",
        r"aquari(?:um|a|ums)",
        r"aquaculture",
        r"cultivat\w+",
        r"nurser(?:y|ies)",
        r"botanic(?:al)? gardens?",
        r"in captivity",
        r"insurance populations?",
        r"assurance (?:populations?|colon\w+)",
        r"head-?start\w*",
    ),
    "3.4.2": (
        r"genome (?:resource )?banks?",
        r"gene ?banks?",
        r"seed ?banks?",
        r"cryo-?preserv\w+",
        r"bio-?banks?",
        r"frozen zoo",
        r"gamete\w*",
        r"germplasm",
        r"tissue (?:banks?|samples? stored)",
        r"sperm banks?",
    ),
    "4.1": (
        r"schools?",
        r"curricul\w+",
        r"universit(?:y|ies)",
        r"formal education",
        r"students?",
        r"degree programmes?",
    ),
    "4.2": (
        r"training",
        r"capacity[- ]building",
        r"workshops?",
        r"train(?:ing)? (?:of )?(?:rangers|staff|local|managers|officers|customs)",
        r"build(?:ing)? capacity",
    ),
    "4.3": (
        r"awareness",
        r"(?:education(?:al)?|outreach|public information) "
        r"(?:campaigns?|programmes?|programs?|activities|materials?)",
        r"outreach",
        r"public education",
        r"communicat\w+",
        r"campaigns?",
        r"community engagement",
        r"environmental education",
        r"education",
        r"media",
        r"flagship species",
    ),
    "5.1": (r"legislation", r"legal(?:ly)? protect\w+", r"laws?"),
    "5.1.1": (
        r"CITES",
        r"conventions?",
        r"international (?:laws?|legislation|agreements?|treat(?:y|ies))",
        r"CMS",
        r"Bern Convention",
        r"Habitats Directive",
        r"Birds Directive",
        r"Appendix (?:I|II|III)\b",
        r"Annex (?:I|II|III|IV|V)\b",
    ),
    "5.1.2": (
        r"national (?:laws?|legislation)",
        r"legally protected",
        r"protected (?:by|under) (?:national )?(?:law|legislation)",
        r"wildlife (?:protection |conservation )?(?:act|law)s?",
        r"protected species lists?",
        r"fully protected",
        r"(?:Act|Law) of \d{4}",
        r"(?:Endangered Species|Wildlife) Act",
    ),
    "5.1.3": (
        r"state (?:laws?|legislation)",
        r"provincial (?:laws?|legislation|protection)",
        r"sub-?national",
        r"regional legislation",
        r"local ordinances?",
    ),
    "5.2": (
        r"polic(?:y|ies)",
        r"regulations?",
        r"land[- ]use planning",
        r"spatial planning",
        r"environmental impact assessments?",
    ),
    "5.3": (
        r"certification",
        r"FSC",
        r"RSPO",
        r"MSC",
        r"(?:industry |voluntary )?standards",
        r"codes? of (?:conduct|practice)",
        r"best practices?",
        r"sustainable palm oil",
    ),
    "5.4": (
        r"enforc\w+",
        r"compliance",
        r"anti-?poaching",
        r"prosecut\w+",
        r"illegal (?:trade|hunting|logging|fishing|collection)",
        r"patrols?",
    ),
    "5.4.1": (
        r"international (?:enforcement|trade controls?|cooperation)",
        r"cross-border",
        r"transboundary",
        r"CITES (?:enforcement|implementation|regulations?)",
    ),
    "5.4.2": (r"national (?:enforcement|level)", r"(?:customs|police|wildlife authorit\w+)"),
    "5.4.3": (
        r"local (?:enforcement|communities? (?:patrols?|rangers))",
        r"community (?:patrols?|rangers|enforcement)",
        r"village",
    ),
    "6.1": (
        r"eco-?touris\w+",
        r"alternative livelihoods?",
        r"livelihoods?",
        r"income[- ]generat\w+",
        r"community-based (?:enterprises?|tourism)",
        r"linked enterprises?",
    ),
    "6.2": (
        r"substitut\w+",
        r"alternatives? (?:to|for) (?:the )?(?:use|consumption|products?|protein|bushmeat|fuel)",
        r"alternative (?:products|protein|sources)",
    ),
    "6.3": (r"market\w*", r"incentives?", r"boycotts?", r"eco-?label\w*"),
    "6.4": (
        r"payments?",
        r"compensation",
        r"REDD\+?",
        r"conservation agreements?",
        r"ecosystem services",
    ),
    "6.5": (r"cultural values?", r"taboos?", r"spiritual", r"sacred", r"traditional beliefs?"),
}

# generic cues that make a sentence outside the conservation-actions field a candidate
ACTION_GENERIC: tuple[str, ...] = (
    r"conserv\w+ "
    r"(?:measures?|actions?|efforts?|programmes?|programs?|plans?|strateg\w+|management)",
    r"recommend\w*",
    r"should",
    r"needs? to",
    r"needed",
    r"required?",
    r"urgent\w*",
    r"priorit\w+",
    r"protect\w*",
    r"manag\w+",
    r"listed",
    r"ban(?:s|ned)?",
)

# --------------------------------------------------------------------------- threats v3.3

THREAT_CUES: dict[str, tuple[str, ...]] = {
    "1.1": (
        r"urban\w*",
        r"housing",
        r"(?:human )?settlements?",
        r"residential",
        r"towns?",
        r"cities",
        r"city",
    ),
    "1.2": (
        r"industr(?:y|ial) (?:development|areas?|estates?|expansion)",
        r"commercial development",
        r"factor(?:y|ies)",
        r"ports?",
        r"industr(?:y|ies|ial)",
    ),
    "1.3": (
        r"tourism (?:development|infrastructure)",
        r"resorts?",
        r"hotels?",
        r"coastal development",
    ),
    "2.1": (
        r"agricultur\w+",
        r"crops?",
        r"oil palm",
        r"palm oil",
        r"plantations?",
        r"farm(?:ing|land|s)?",
        r"cultivat\w+",
        r"shifting cultivation",
        r"slash[- ]and[- ]burn",
        r"coffee",
        r"cocoa",
        r"rubber",
        r"rice",
        r"soy\w*",
    ),
    "2.2": (
        r"(?:timber|pulp|wood|tree) plantations?",
        r"pulpwood",
        r"acacia",
        r"eucalypt\w*",
        r"pine plantations?",
    ),
    "2.3": (
        r"livestock",
        r"grazing",
        r"cattle",
        r"ranch\w*",
        r"pastures?",
        r"goats?",
        r"overgrazing",
    ),
    "2.4": (r"aquaculture", r"fish farm\w*", r"shrimp (?:farm|pond)\w*", r"maricultur\w+"),
    "3.1": (r"oil (?:and|&) gas", r"drilling", r"petroleum", r"oil exploration"),
    "3.2": (
        r"mining",
        r"mines?",
        r"quarr(?:y|ies|ying)",
        r"sand extraction",
        r"coral (?:mining|extraction)",
    ),
    "3.3": (r"wind (?:farms?|turbines?)", r"solar (?:farms?|parks?)", r"renewable energy"),
    "4.1": (r"roads?", r"rail\w*", r"highways?", r"transport\w*"),
    "4.2": (r"power ?lines?", r"pipelines?", r"utility lines?", r"cables?"),
    "4.3": (r"shipping", r"dredg\w+", r"vessels?", r"ship\w*", r"boat traffic", r"transport\w*"),
    "4.4": (r"flight paths?", r"aircraft"),
    "5.1": (
        r"hunt\w*",
        r"poach\w*",
        r"trap\w*",
        r"bushmeat",
        r"pet trade",
        r"wildlife trade",
        r"traditional medicine",
        r"snares?",
        r"persecut\w+",
        r"killed",
        r"collected for",
        r"illegal trade",
    ),
    "5.2": (
        r"gathering",
        r"collect\w+ (?:of )?(?:plants|seeds|bulbs|orchids)",
        r"(?:plant|orchid) collect\w+",
    ),
    "5.3": (
        r"logging",
        r"timber",
        r"deforestation",
        r"fuel ?wood",
        r"firewood",
        r"charcoal",
        r"wood harvest\w*",
        r"tree felling",
        r"clear-?fell\w*",
    ),
    "5.4": (
        r"fish(?:ing|eries|ery|ers|ermen)",
        r"by-?catch",
        r"trawl\w*",
        r"aquarium trade",
        r"curio",
        r"harvest\w*",
        r"dynamite",
        r"blast fishing",
        r"gill ?nets?",
        r"overfish\w*",
        r"collect\w+ (?:for|from) (?:the )?(?:aquarium|reef|sea)",
    ),
    "6.1": (
        r"recreation\w*",
        r"divers?",
        r"diving",
        r"snorkel\w*",
        r"touris\w+",
        r"visitors?",
        r"trampl\w+",
        r"anchor\w*",
    ),
    "6.2": (r"war", r"civil unrest", r"military", r"armed conflict"),
    "6.3": (r"disturbance", r"human (?:presence|activit(?:y|ies))", r"research activit\w+"),
    "7.1": (r"fires?", r"burning", r"wildfires?"),
    "7.2": (
        r"dams?",
        r"water (?:extraction|abstraction|diversion|management)",
        r"irrigation",
        r"hydro\w*",
        r"desalination",
        r"reservoirs?",
    ),
    "7.3": (
        r"(?:habitat|reef|ecosystem) (?:degradation|modification|alteration)",
        r"land reclamation",
        r"reclamation",
        r"drainage",
        r"habitat loss",
    ),
    "8.1": (
        r"invasive",
        r"introduced (?:species|predators?|rats?|cats?)",
        r"alien",
        r"non-native",
        r"exotic",
    ),
    "8.2": (
        r"crown[- ]of[- ]thorns",
        r"(?:native )?predat\w+",
        r"outbreaks?",
        r"competit\w+",
        r"problematic native",
    ),
    "8.4": (r"(?:unknown origin)",),
    "8.5": (r"vir(?:us|uses|al)", r"prions?"),
    "8.6": (r"(?:coral )?diseases?", r"pathogens?", r"parasites?", r"infection"),
    "9.1": (
        r"sewage",
        r"domestic (?:pollution|waste)",
        r"waste ?water",
        r"urban (?:runoff|pollution)",
    ),
    "9.2": (
        r"industrial (?:pollution|effluents?|waste)",
        r"pollution from (?:\w+ (?:and|&) )?industr\w*",
        r"effluents?",
        r"oil spills?",
        r"mining (?:runoff|waste|tailings)",
        r"chemical pollution",
        r"heavy metals",
    ),
    "9.3": (
        r"agricultural (?:runoff|pollution|effluents?)",
        r"sediment\w*",
        r"siltation",
        r"pesticides?",
        r"fertili[sz]ers?",
        r"nutrients?",
        r"runoff",
        r"eutrophication",
    ),
    "9.4": (r"plastics?", r"garbage", r"litter", r"debris", r"solid waste", r"ghost nets?"),
    "9.5": (
        r"acid rain",
        r"acidification",
        r"air(?:-borne)? pollut\w+",
        r"smog",
        r"nitrogen deposition",
    ),
    "9.6": (r"noise", r"light pollution", r"thermal pollution"),
    "10.1": (r"volcan\w+", r"eruptions?"),
    "10.2": (r"earthquakes?", r"tsunamis?"),
    "10.3": (r"avalanches?", r"landslides?", r"mudslides?"),
    "11.1": (
        r"climate change",
        r"sea[- ]level rise",
        r"habitat shift\w*",
        r"bleaching",
        r"global warming",
    ),
    "11.2": (r"droughts?", r"dry(?:ing)? (?:spells?|out)"),
    "11.3": (
        r"temperature",
        r"heat ?waves?",
        r"warming",
        r"sea surface temperatures?",
        r"bleaching",
    ),
    "11.4": (
        r"storms?",
        r"cyclones?",
        r"hurricanes?",
        r"typhoons?",
        r"flood\w*",
        r"ENSO",
        r"El Ni[nñ]o",
    ),
    "11.5": (r"extreme (?:weather|events)",),
    "12.1": (r"other threats?",),
}

THREAT_GENERIC: tuple[str, ...] = (
    r"threat\w*",
    r"declin\w+",
    r"loss",
    r"los(?:e|ing)",
    r"degrad\w+",
    r"impact\w*",
    r"pressure",
    r"destroy\w*",
    r"destruction",
    r"affect\w*",
    r"risk",
)

# --------------------------------------------------------------------------- ex situ roles

EXSITU_CONTEXT = (
    r"captiv\w+",
    r"zoos?",
    r"aquari(?:um|a|ums)",
    r"ex[- ]situ",
    r"botanic(?:al)? gardens?",
    r"breeding (?:centres?|centers?|facilit\w+|programmes?|programs?)",
    r"rescue (?:centres?|centers?)",
    r"hatcher(?:y|ies)",
    r"seed ?banks?",
    r"gene ?banks?",
    r"insurance population",
)

# notation (ontology/assess2plan.ttl a2p:ExSituRoles) -> (patterns, needs ex situ context)
EXSITU_CUES: dict[str, tuple[tuple[str, ...], bool]] = {
    "insurance": (
        (
            r"insurance (?:populations?|colon\w+)",
            r"assurance (?:populations?|colon\w+)",
            r"safety[- ]net populations?",
            r"captive[- ]breeding",
            r"captive populations?",
            r"breeding programmes?",
            r"breeding programs?",
        ),
        False,
    ),
    "demographic": (
        (
            r"head-?start\w*",
            r"population (?:reinforcement|supplementation)",
            r"supplementation",
            r"restocking",
        ),
        False,
    ),
    "genetic": (
        (r"genetic (?:rescue|reinforcement|augmentation)", r"gene flow", r"genetic management"),
        True,
    ),
    "reintroduction": (
        (
            r"re-?introduc\w+",
            r"release\w* (?:in)?to the wild",
            r"conservation translocations?",
            r"assisted colon\w+",
            r"captive-bred (?:\w+ )?(?:releases?|released)",
        ),
        True,
    ),
    "ecological_replacement": (
        (r"ecological (?:replacement|substitutes?|proxy|proxies)", r"taxon substitution"),
        False,
    ),
    "research": ((r"research", r"studies", r"studied"), True),
    "education": ((r"education\w*", r"awareness", r"display\w*", r"visitors?"), True),
    "rescue": (
        (
            r"rescue\w*",
            r"rehabilitat\w+",
            r"confiscat\w+",
            r"emergency (?:collection|evacuation|rescue)",
            r"temporary (?:holding|refuge)",
        ),
        False,
    ),
    "genome_bank": (
        (
            r"genome (?:resource )?banks?",
            r"gene ?banks?",
            r"seed ?banks?",
            r"cryo-?preserv\w+",
            r"bio-?banks?",
            r"frozen zoo",
            r"gamete banks?",
            r"sperm banks?",
            r"tissue banks?",
            r"germplasm",
        ),
        False,
    ),
    "preservation": (
        (
            r"extinct in the wild",
            r"surviv\w+ only in captivity",
            r"only (?:known|survives?) (?:from|in) captivity",
            r"long-term preservation",
        ),
        False,
    ),
}

# --------------------------------------------------------------------------- status cues

NEGATION = (
    r"\bno (?:\w+ ){0,3}(?:conservation )?"
    r"(?:measures?|actions?|programmes?|programs?|plans?|protection|legislation|"
    r"protected areas?)\b",
    r"\bnone\b",
    r"\bthere (?:are|is) no\b",
    r"\bnot (?:currently |yet |known to be |legally )?"
    r"(?:protected|listed|implemented|in place|present in any|known from any|covered)\b",
    r"\bdoes not occur (?:with)?in any\b",
    r"\bnot known to occur (?:with)?in any\b",
    r"\b(?:lack|absence) of\b",
    r"\bnor\b",
    r"\bwithout any\b",
    r"\bnot (?:been )?(?:subject to|included)\b",
    r"\bis not\b.{0,40}\bprotected\b",
)
NEEDED = (
    r"\brecommend\w*\b",
    r"\bshould\b",
    r"\bmust\b",
    r"\bneeds?\b",
    r"\bneeded\b",
    r"\brequire[sd]?\b",
    r"\brequirements?\b",
    r"\bnecessary\b",
    r"\burgent\w*\b",
    r"\bpropos\w+\b",
    r"\bpriorit\w+\b",
    r"\bwould (?:benefit|be beneficial|help|be valuable|be useful)\b",
    r"\b(?:is|are|will be|may become|would be) "
    r"(?:important|essential|crucial|vital|valuable|advisable|desirable)\b",
    r"\bsuggest\w*\b",
    r"\bcall(?:s|ed)? for\b",
    r"\bwarrant\w*\b",
    r"\bessential\b",
    r"\bencourag\w+\b",
    r"\badvised?\b",
    r"\bought to\b",
    r"\bin the future\b",
    r"\bfurther\b",
    r"\bmore\b.{0,30}\bis needed\b",
    r"\bplanned\b",
    r"\bto be (?:established|developed|implemented)\b",
    r"\bimprov\w+\b",
    r"\bstrengthen\w*\b",
    r"\bexpan\w+\b",
    r"\bidentif\w+\b",
    r"\bestablish(?:ment|ing)\b",
)
IN_PLACE = (
    r"\b(?:is|are|was|were|been) (?:also )?listed\b",
    r"\blisted (?:on|in|under|as)\b",
    r"\boccurs? (?:with)?in\b",
    r"\b(?:is|are) (?:found|present|recorded|known) (?:with)?in\b",
    r"\bfalls? (?:with)?in\b",
    r"\b(?:is|are) (?:legally |fully |strictly )?protected\b",
    r"\blegally protected\b",
    r"\bprotected (?:by|under)\b",
    r"\b(?:is|are) included\b",
    r"\bin place\b",
    r"\bexists?\b",
    r"\bhas been (?:established|implemented|developed|reintroduced|bred|started)\b",
    r"\bwas (?:established|implemented|reintroduced|started)\b",
    r"\b(?:is|are) (?:being|currently)\b",
    r"\bongoing\b",
    r"\bcurrently\b",
    r"\bunderway\b",
    r"\b(?:runs?|operates?|running)\b",
    r"\b(?:is|are) (?:managed|implemented|enforced|regulated|banned|prohibited)\b",
    r"\b(?:is|are) (?:held|kept|bred|maintained) (?:in|at)\b",
    r"\bthere (?:is|are) (?:a |an )?(?:captive|breeding|management|recovery)\b",
    r"\bdesignated\b",
    r"\bhave been\b",
    r"\bhas been\b",
    r"\bprohibit\w*\b",
    r"\bcovered by\b",
    r"\bincluded (?:in|on)\b",
)


@dataclass(frozen=True, eq=False)  # hashed by identity (one instance per kind, memoised)
class Lexicon:
    """Compiled patterns of one kind: one regex per code plus the generic cue."""

    codes: tuple[str, ...]
    per_code: dict[str, re.Pattern[str]]
    generic: re.Pattern[str]
    any_code: re.Pattern[str]  # the union of the per-code patterns
    code_cues_select: bool = True  # whether a per-code cue alone makes a sentence a candidate

    def hits(self, text: str) -> dict[str, tuple[int, int]]:
        """code -> (start, end) of its longest match in text (memoised; do not modify)."""
        return _hits(self, text)

    def has_cue(self, text: str) -> bool:
        """Whether a sentence outside the kind's own field is a candidate. Threat words alone
        ("hunting", "invasive") also occur in sentences about actions, so threats need a
        generic threat cue ("threatened by", "decline", "loss", "impact")."""
        if self.generic.search(text):
            return True
        return self.code_cues_select and self.code_cue(text)

    def code_cue(self, text: str) -> bool:
        return self.any_code.search(text) is not None


@lru_cache(maxsize=100_000)
def _hits(lex: Lexicon, text: str) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    if lex.any_code.search(text) is None:
        return out
    for code, rx in lex.per_code.items():
        best: tuple[int, int] | None = None
        for m in rx.finditer(text):
            if best is None or m.end() - m.start() > best[1] - best[0]:
                best = (m.start(), m.end())
        if best is not None:
            out[code] = best
    return out


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(patterns) + r")(?![\w])", re.IGNORECASE)


@cache
def lexicon(kind: str) -> Lexicon:
    """The compiled lexicon of "actions" or "threats"."""
    if kind == "actions":
        cues, generic = ACTION_CUES, ACTION_GENERIC
    elif kind == "threats":
        cues, generic = THREAT_CUES, THREAT_GENERIC
    else:
        raise ValueError(f"unknown lexicon kind {kind!r} (expected 'actions' or 'threats')")
    return Lexicon(
        codes=tuple(cues),
        per_code={code: _compile(pats) for code, pats in cues.items()},
        generic=_compile(generic),
        any_code=_compile(tuple(p for pats in cues.values() for p in pats)),
        code_cues_select=kind == "actions",
    )


@cache
def fingerprint(kind: str) -> str:
    """SHA-256 of a kind's cue patterns: a model records it, so a changed lexicon is noticed."""
    cues = ACTION_CUES if kind == "actions" else THREAT_CUES
    generic = ACTION_GENERIC if kind == "actions" else THREAT_GENERIC
    blob = repr(sorted(cues.items())) + repr(generic)
    return hashlib.sha256(blob.encode()).hexdigest()


@cache
def status_patterns() -> dict[str, re.Pattern[str]]:
    return {
        "negated": re.compile("|".join(NEGATION), re.IGNORECASE),
        "needed": re.compile("|".join(NEEDED), re.IGNORECASE),
        "in_place": re.compile("|".join(IN_PLACE), re.IGNORECASE),
    }


@cache
def exsitu_patterns() -> tuple[re.Pattern[str], dict[str, tuple[re.Pattern[str], bool]]]:
    ctx = _compile(EXSITU_CONTEXT)
    return ctx, {role: (_compile(pats), needs_ctx) for role, (pats, needs_ctx) in EXSITU_CUES.items()}
