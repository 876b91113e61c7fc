"""api.services.suggest — a draft assessment → suggestions and consistency warnings.

Text suggestions (actions, threats, places, ex situ roles) come from `nlp` when it can be
imported and its models load; otherwise the response says so in `notes` (no made-up
suggestions). Planning buckets come from api.services.planning when it exists. Co-affected
species are the graph's latest assessments that share a threat class and a country with
the draft. Warnings are computed from the draft itself (api.services.consistency).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from rdflib import URIRef

from api.schemas import (
    BucketSuggestion,
    CoaffectedSpecies,
    SpeciesSheet,
    SuggestRequest,
    SuggestResponse,
    TextSuggestion,
)
from api.services import planning_link, queries
from api.services.annotations import mint_suggestion
from api.services.batching import Batcher
from api.services.codes import codes
from api.services.consistency import (
    completeness,
    criteria_warnings,
    not_coded_warnings,
    section_warning,
    threat_action_warnings,
)
from api.services.store_cache import settle_heap
from kg.records import (
    Action,
    Assessment,
    Bundle,
    HabitatUse,
    Mention,
    Occurrence,
    ResearchNeeded,
    Taxon,
    ThreatImpact,
)
from kg.store import Store

log = logging.getLogger("a2p.suggest")

MAX_COAFFECTED_PAIRS = 6  # (threat class, country) pairs looked up per request (SPARQL path)
BUCKET_LABELS = {
    "single_species": "Single-species recovery planning",
    "habitat": "Habitat-recovery-based planning",
    "threat": "Threat-focused planning",
    "ex_situ": "Ex situ management planning",
}


class TextEngine:
    """nlp extraction for /suggest: batched across concurrent requests, cached per field.

    Concurrent requests are gathered (up to `max_batch` drafts) and run through the nlp
    pipeline together — the sentence encoder is several times faster per text in batches.
    Mentions are cached per (field, text), so a re-submitted draft only pays for the fields
    that changed. `error` says why extraction is unavailable right now; a failure (no trained
    model yet, import error) is retried after `retry_seconds`.
    """

    def __init__(self, enabled: bool = True, retry_seconds: float = 60.0, max_batch: int = 32,
                 cache_entries: int = 4096, workers: int = 1, processes: int = 0) -> None:
        self.enabled = enabled
        self.processes = processes
        self._pool: Any = None  # nlp.pool.ExtractionPool when processes > 0 (made on first use)
        self.retry_seconds = retry_seconds
        self.cache_entries = cache_entries
        self.error: str | None = None if enabled else "disabled by A2P_USE_NLP=false"
        self._failed_at = 0.0
        self._ready = False
        self._cache: OrderedDict[tuple[str, str], list[Mention]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._batcher: Batcher[dict[str, str], dict[str, list[Mention]]] = Batcher(
            self._extract_batch, max_batch, name="a2p-nlp-batcher", workers=workers)

    def status(self) -> str:
        if self.error:
            return f"unavailable: {self.error}"
        return "available" if self._ready else "not loaded yet"

    def warm_up(self) -> None:
        """Start the extraction processes and wait until each has loaded the pipeline (or load
        it in this process), then extract one sentence; call from a background thread at
        start-up. /health says the text engine is available only after this."""
        if not self.enabled:
            return
        if self.processes > 0:
            try:
                self._extraction_pool().start()
            except Exception as exc:  # noqa: BLE001 - reported as extraction failures are
                self._fail(exc)
                return
        self.extract({"threats": "Habitat loss to agriculture in Indonesia is a threat."})

    def _fail(self, exc: BaseException) -> None:
        self.error = f"{type(exc).__name__}: {exc}"
        self._failed_at = time.monotonic()
        log.warning("text suggestions unavailable: %s", self.error)

    def _extraction_pool(self) -> Any:
        with self._cache_lock:
            if self._pool is None:
                from nlp.pool import ExtractionPool

                self._pool = ExtractionPool(self.processes)
            return self._pool

    def close(self) -> None:
        """Stop the extraction processes (if any)."""
        if self._pool is not None:
            self._pool.close()

    def extract(self, texts: dict[str, str]) -> list[Mention]:
        """Mentions in the draft's texts (offsets relative to each field's text)."""
        if not self.enabled:
            return []
        if self.error and time.monotonic() - self._failed_at < self.retry_seconds:
            return []
        texts = {f: t for f, t in texts.items() if t.strip()}
        found: dict[str, list[Mention]] = {}
        with self._cache_lock:
            for f, t in texts.items():
                hit = self._cache.get((f, t))
                if hit is not None:
                    self._cache.move_to_end((f, t))
                    found[f] = hit
        missing = {f: t for f, t in texts.items() if f not in found}
        if missing:
            try:
                found.update(self._batcher.submit(missing).result(timeout=300))
            except Exception as exc:  # noqa: BLE001 - any failure of an optional component
                self._fail(exc)
                return []
        self._ready = True
        self.error = None
        return [m for f in texts for m in found.get(f, [])]

    def _extract_batch(self, drafts: list[dict[str, str]]) -> list[dict[str, list[Mention]]]:
        import nlp

        records = [
            Assessment(assessment_id=f"d{i}", taxon_id="draft", scientific_name="draft",
                       category="NE", texts=texts)
            for i, texts in enumerate(drafts)
        ]
        out: list[dict[str, list[Mention]]] = [{f: [] for f in texts} for texts in drafts]
        if self.processes > 0:
            mentions = self._extraction_pool().extract_many(records)
        else:
            mentions = nlp.extract_many(records, batch_size=len(records))
        for m in mentions:
            i = int(m.assessment_id[1:])
            out[i].setdefault(m.field, []).append(m.model_copy(update={"assessment_id": ""}))
        with self._cache_lock:
            for texts, res in zip(drafts, out, strict=True):
                for f, t in texts.items():
                    self._cache[(f, t)] = res.get(f, [])
            while len(self._cache) > self.cache_entries:
                self._cache.popitem(last=False)
        return out


class BucketEngine:
    """Planning-bucket recommendations for /suggest drafts, batched across concurrent requests.

    The bucket model embeds each draft's rationale, threats and habitat texts with the
    sentence encoder; drafts arriving together are recommended in one call of the planning
    module's `recommend_for_profiles` (one encoder batch, one model pass). `recommend` has the
    signature of `recommend_for_bundle`, so `suggest()` takes either.
    """

    def __init__(self, max_batch: int = 32, workers: int = 1) -> None:
        self._batcher: Batcher[tuple[Store | None, list[Any]], list[Any]] = Batcher(
            self._run, max_batch, name="a2p-buckets-batcher", workers=workers)

    @staticmethod
    def available() -> bool:
        return planning_link.function("recommend_for_profiles") is not None

    def recommender(self) -> Callable[..., Future[list[Any]]] | None:
        """What `suggest()` takes as `recommend` (answers with a Future, so the bucket model
        runs while the text is extracted): None when the planning module is absent."""
        return self.submit if self.available() else None

    def recommend(self, bundle: Bundle, store: Store | None = None) -> list[Any]:
        return self.submit(bundle, store).result(timeout=300)

    def submit(self, bundle: Bundle, store: Store | None = None) -> Future[list[Any]]:
        """Queue the bundle's recommendations; the Future gives them when its batch has run."""
        from kg.planning.profile import profiles_from_bundle

        return self._batcher.submit((store, profiles_from_bundle(bundle)))

    def warm_up(self, store: Store | None = None) -> None:
        """Load the bucket model and the encoder (call from a background thread)."""
        if not self.available():
            return
        try:
            req = SuggestRequest.model_validate(
                {"category": "EN", "threats": [{"code": "2.1"}], "countries": ["ID"],
                 "texts": {"threats": "Conversion of forest to oil palm plantations."}})
            self.recommend(draft_bundle(req), store=store)
        except Exception:  # noqa: BLE001 - logged; /suggest reports the failure in its notes
            log.exception("loading the bucket model failed")

    @staticmethod
    def _run(items: list[tuple[Store | None, list[Any]]]) -> list[list[Any]]:
        recommend = planning_link.function("recommend_for_profiles")
        if recommend is None:
            raise RuntimeError("the planning module has no recommend_for_profiles")
        out: list[list[Any]] = [[] for _ in items]
        by_store: dict[int, list[int]] = {}
        for i, (store, _) in enumerate(items):
            by_store.setdefault(id(store), []).append(i)
        for idx in by_store.values():
            # one batch: every profile gets an id unique in the batch, restored afterwards
            flat, owner = [], {}
            for i in idx:
                for k, p in enumerate(items[i][1]):
                    key = f"b{i}_{k}"
                    owner[key] = (i, p.assessment_id)
                    flat.append(dataclasses.replace(p, assessment_id=key))
            for rec in recommend(flat, items[idx[0]][0]):
                i, aid = owner[rec.assessment_id]
                out[i].append(rec.model_copy(update={"assessment_id": aid}))
        return out


def limit_compute_threads(threads: int) -> None:
    """Set the compute threads of this process (0: leave them): torch's (the sentence encoder)
    and numpy's BLAS (OpenBLAS; the nlp code mappers' small matrix products). With two BLAS
    threads on a busy 2-core machine a product of a 40 x 546 matrix took up to 9 ms of CPU
    instead of 0.2 (the second thread spins and waits for a core), about a third of the CPU of a
    long /suggest draft."""
    import importlib.util

    if threads <= 0:
        return
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch.set_num_threads(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads, user_api="blas")


def rule_places(texts: dict[str, str]) -> tuple[list[Mention], str | None]:
    """Place mentions from nlp's rule-based gazetteer (no model needed)."""
    try:
        from nlp.markup import strip_markup
        from nlp.places import find_places
    except Exception as exc:  # noqa: BLE001
        return [], f"{type(exc).__name__}: {exc}"
    out = []
    for field, text in texts.items():
        if not text.strip():
            continue
        stripped = strip_markup(text)
        for p in find_places(stripped.text):
            start, end = stripped.original_span(p.start, p.end)
            out.append(
                Mention(kind="place", code=p.code, label=p.label, confidence=p.confidence,
                        field=field, start=start, end=end,
                        sentence=_sentence(stripped.text, p.start, p.end), model="rules/places")
            )
    return out, None


def _sentence(text: str, start: int, end: int) -> str:
    a = max(text.rfind(". ", 0, start) + 2, 0) if text.rfind(". ", 0, start) >= 0 else 0
    b = text.find(". ", end)
    return text[a : (b + 1 if b >= 0 else len(text))].strip()


def draft_bundle(req: SuggestRequest) -> Bundle:
    """The draft as kg records (for the planning recommender)."""
    aid = req.assessment_id or "draft"
    tid = req.taxon.taxon_id or "draft"
    name = req.taxon.scientific_name or "draft"
    texts = {k: v for k, v in req.texts.model_dump().items() if v.strip()}
    return Bundle(
        taxa=(
            Taxon(taxon_id=tid, scientific_name=name, kingdom=req.taxon.kingdom,
                  phylum=req.taxon.phylum, class_name=req.taxon.class_name,
                  order=req.taxon.order, family=req.taxon.family, genus=req.taxon.genus),
        ),
        assessments=(
            Assessment(assessment_id=aid, taxon_id=tid, scientific_name=name,
                       category=req.category or "NE", criteria=req.criteria, texts=texts),
        ),
        threats=tuple(
            ThreatImpact(assessment_id=aid, code=t.code, timing=t.timing, scope=t.scope,
                         severity=t.severity)
            for t in req.threats
        ),
        actions=tuple(Action(assessment_id=aid, code=a.code, status=a.status) for a in req.actions),
        research=tuple(ResearchNeeded(assessment_id=aid, code=r) for r in req.research),
        habitats=tuple(HabitatUse(assessment_id=aid, code=h) for h in req.habitats),
        occurrences=tuple(
            [Occurrence(assessment_id=aid, place_type="country", code=c) for c in req.countries]
            + [Occurrence(assessment_id=aid, place_type="site", code=s, name=s)
               for s in req.sites if s.strip()]
        ),
    )


def draft_from_sheet(sheet: SpeciesSheet) -> SuggestRequest:
    """A species' latest assessment, as stored, in the shape of a /suggest draft."""
    a = sheet.latest
    if a is None:
        raise ValueError("the species has no latest assessment")
    t = sheet.taxon
    return SuggestRequest.model_validate(
        {
            "assessment_id": a.assessment_id,
            "taxon": {"taxon_id": t.taxon_id, "scientific_name": t.scientific_name,
                      "family": t.family, "genus": t.genus, "order": t.order,
                      "class_name": t.class_name, "phylum": t.phylum, "kingdom": t.kingdom},
            "category": a.category,
            "criteria": a.criteria,
            "texts": a.texts,
            "threats": [{"code": x.code, "timing": x.timing, "scope": x.scope,
                         "severity": x.severity} for x in a.threats if x.code],
            "actions": [{"code": x.code, "status": "needed"} for x in a.actions_needed if x.code]
            + [{"code": x.code, "status": "in_place"} for x in a.actions_in_place if x.code],
            "research": [r.code for r in a.research_needed if r.code],
            "countries": [p.code for p in a.places if p.type == "country"],
            "sites": [p.name or p.code for p in a.places if p.type != "country"],
            "habitats": [h.code for h in a.habitats if h.code],
        }
    )


def _text_suggestion(m: Mention, req: SuggestRequest, texts: dict[str, str],
                     coded: set[str]) -> TextSuggestion:
    text = texts.get(m.field, "")
    return TextSuggestion(
        id=mint_suggestion(req.assessment_id, m.kind, m.code, m.field, m.start, m.end),
        kind=m.kind,
        code=m.code,
        label=m.label,
        status=m.status,
        confidence=max(0.0, min(1.0, float(m.confidence))),
        field=m.field,
        start=m.start,
        end=m.end,
        text=text[m.start : m.end],
        sentence=m.sentence,
        already_coded=m.code in coded,
        model=m.model,
    )


def _level2(code: str) -> str:
    chain = codes().rollup("threat", code)
    return chain[-2] if len(chain) >= 2 else (chain[-1] if chain else code)


class CoaffectedIndex:
    """The planning module's threat × place key index of a store, built in the background.

    Ranking a draft against it is a sparse matrix product (milliseconds at any graph size);
    until it is built (minutes on a very large graph) `coaffected` falls back to SPARQL.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[int, tuple[str, Any]] = {}  # id(store) -> (state, index or error)

    def get(self, store: Store) -> Any | None:
        build = planning_link.function("coaffected_index")
        if build is None:
            return None
        with self._lock:
            state, value = self._state.get(id(store), ("", None))
            if state == "ready" and value is not None and getattr(value, "_a2p_gen", None) == \
                    getattr(store, "generation", None):
                return value
            if state == "building":
                return None
            self._state[id(store)] = ("building", None)

        replaces = state == "ready"

        def run() -> None:
            try:
                index = build(store)
                index._a2p_gen = getattr(store, "generation", None)
                with self._lock:
                    self._state[id(store)] = ("ready", index)
                settle_heap(collect=replaces)
            except Exception as exc:  # noqa: BLE001 - the SPARQL path still answers
                log.warning("co-affected index unavailable: %s", exc)
                with self._lock:
                    self._state[id(store)] = ("failed", exc)

        threading.Thread(target=run, name="a2p-coaffected", daemon=True).start()
        return None


    def state(self, store: Store) -> str:
        if planning_link.function("coaffected_index") is None:
            return "unavailable"
        with self._lock:
            state, value = self._state.get(id(store), ("not built", None))
        return f"failed: {value}" if state == "failed" else state


COAFFECTED_INDEX = CoaffectedIndex()


def coaffected_from_index(index: Any, req: SuggestRequest, limit: int) -> list[CoaffectedSpecies]:
    """Rank the graph's species against the draft's threat × place keys (planning weights)."""
    from kg.planning.coaffected import weights_of
    from kg.planning.profile import profiles_from_bundle

    profiles = profiles_from_bundle(draft_bundle(req))
    if not profiles:
        return []
    focal = weights_of(profiles[0])
    exclude = [index.by_taxon[t] for t in (req.taxon.taxon_id,) if t in index.by_taxon]
    out = []
    for r in index.rank(focal, limit, exclude=exclude):
        places = list(r.shared_places)
        out.append(
            CoaffectedSpecies(
                taxon_id=r.taxon_id,
                scientific_name=r.name,
                category=r.category,
                shared_threats=list(r.shared_threats),
                shared_countries=[p for p in places if len(p) == 2 and p.isupper()],
                shared_places=places,
                score=float(r.score),
            )
        )
    return out


def coaffected(store: Store, req: SuggestRequest, limit: int) -> list[CoaffectedSpecies]:
    """Latest assessments in the graph sharing a threat class (level 2) and a country (SPARQL)."""
    c = codes()
    threat_classes = list(dict.fromkeys(_level2(t.code) for t in req.threats))
    pairs = [(t, k) for t in threat_classes for k in dict.fromkeys(req.countries)]
    pairs = pairs[:MAX_COAFFECTED_PAIRS]
    found: dict[str, dict[str, Any]] = {}
    for threat, country in pairs:
        rows = queries.values(
            store,
            "coaffected_draft",
            threat=URIRef(c.iri("threat", threat)),
            country=URIRef(c.iri("country", country)),
        )
        for r in rows:
            tid = str(r["taxonId"])
            if tid == req.taxon.taxon_id:
                continue
            e = found.setdefault(
                tid,
                {"name": str(r["scientificName"]), "category": str(r["category"]),
                 "threats": set(), "countries": set(), "pairs": set()},
            )
            e["threats"].add(threat)
            e["countries"].add(country)
            e["pairs"].add((threat, country))
    weight = {"CR": 3, "EN": 2, "VU": 1}
    ranked = sorted(
        found.items(),
        key=lambda kv: (-len(kv[1]["pairs"]), -weight.get(kv[1]["category"], 0), kv[1]["name"]),
    )
    return [
        CoaffectedSpecies(
            taxon_id=tid,
            scientific_name=e["name"],
            category=e["category"],
            shared_threats=sorted(e["threats"]),
            shared_countries=sorted(e["countries"]),
            shared_places=sorted(e["countries"]),
            score=len(e["pairs"]),
        )
        for tid, e in ranked[:limit]
    ]


def suggest(
    store: Store,
    req: SuggestRequest,
    engine: TextEngine,
    recommend: Callable[..., Any] | None = None,
    coaffected_limit: int = 20,
) -> SuggestResponse:
    c = codes()
    notes: list[str] = []
    texts = {k: v for k, v in req.texts.model_dump().items() if v and v.strip()}
    coded_threats = {t.code for t in req.threats}
    coded_actions = {a.code for a in req.actions}
    coded_countries = set(req.countries)

    mentions: list[Mention] = []
    if texts:
        mentions = engine.extract(texts)

    # the bucket model starts once the text is extracted: it embeds the same candidate units
    # (nlp.buckets.unit_texts) and finds them in the encoder's memo, and the extraction's own
    # encoder batches never depend on what the bucket model encoded before (a batched
    # recommender answers with a Future; the warnings are computed meanwhile)
    pending: Any = None
    if recommend is not None:
        try:
            pending = recommend(draft_bundle(req), store=store)
        except Exception as exc:  # noqa: BLE001 - optional component
            pending = exc

    if texts:
        if engine.error:
            notes.append(f"action and threat suggestions from text are unavailable ({engine.error})")
            mentions, err = rule_places(texts)
            if err:
                notes.append(f"place mentions are unavailable ({err})")
            else:
                notes.append("place mentions come from the rule-based gazetteer only")

    def covered(kind: str, code: str) -> set[str]:
        """Codes the draft has that make a suggested code 'already coded' (roll-up both ways)."""
        have = coded_actions if kind == "action" else coded_threats
        chain = set(c.rollup(kind, code)) if code in c.scheme(kind) else {code}
        return {code} if any(h in chain or code in set(c.rollup(kind, h)) for h in have) else set()

    actions, threats, places = [], [], []
    for m in mentions:
        if m.kind == "action":
            actions.append(_text_suggestion(m, req, texts, covered("action", m.code)))
        elif m.kind == "threat":
            threats.append(_text_suggestion(m, req, texts, covered("threat", m.code)))
        elif m.kind in ("place", "exsitu_role"):
            coded_sites = {s.lower() for s in req.sites}
            is_coded = m.code in coded_countries or (
                ":" in m.code and any(m.label.lower() in s or s in m.label.lower()
                                      for s in coded_sites)
            )
            places.append(_text_suggestion(m, req, texts, {m.code} if is_coded else set()))
    for lst in (actions, threats, places):
        lst.sort(key=lambda s: (-s.confidence, s.field, s.start))

    # ---- warnings
    needed = [a.code for a in req.actions if a.status == "needed"]
    comp = completeness(
        conservation_actions_text=bool(texts.get("conservation_actions", "").strip()),
        actions_needed=bool(needed),
        research_needed=bool(req.research),
        threats=bool(req.threats),
        habitats=bool(req.habitats),
        places=bool(req.countries or req.sites),
    )
    warnings = []
    w = section_warning(comp, req.category)
    if w:
        warnings.append(w)
    warnings += threat_action_warnings(c, [t.code for t in req.threats], needed)
    warnings += criteria_warnings(req.category, req.criteria)
    place_hits = [
        (p.code, p.label, p.field, p.start, p.end) for p in places
        if p.kind == "place" and not p.already_coded
    ]
    warnings += not_coded_warnings("place", place_hits, set())
    warnings += not_coded_warnings(
        "threat",
        [(s.code, s.label, s.field, s.start, s.end) for s in threats
         if not s.already_coded and s.status != "negated" and s.confidence >= 0.5],
        set(),
    )
    warnings += not_coded_warnings(
        "action",
        [(s.code, s.label, s.field, s.start, s.end) for s in actions
         if not s.already_coded and s.status in ("needed", "in_place") and s.confidence >= 0.5],
        set(),
    )

    # ---- planning buckets
    buckets = None
    if recommend is None:
        notes.append("planning-bucket recommendations are unavailable (the planning module "
                      "is not installed)")
    else:
        try:
            if isinstance(pending, Exception):
                raise pending
            recs = pending.result(timeout=300) if isinstance(pending, Future) else pending
            buckets = sorted((_bucket(req, b) for b in recs),
                             key=lambda b: (-b.probability, b.bucket))
        except Exception as exc:  # noqa: BLE001 - optional component
            log.exception("bucket recommendation failed")
            notes.append(f"planning-bucket recommendations failed ({type(exc).__name__}: {exc})")

    # ---- co-affected species
    co: list[CoaffectedSpecies] = []
    if req.threats and (req.countries or req.sites):
        index = COAFFECTED_INDEX.get(store)
        if index is not None:
            co = coaffected_from_index(index, req, coaffected_limit)
        elif req.countries:
            co = coaffected(store, req, coaffected_limit)
            if planning_link.function("coaffected_index") is not None:
                notes.append("co-affected species by shared threat and country only (the "
                             "planning index is being built)")
    else:
        notes.append("co-affected species need at least one coded threat and one place")

    return SuggestResponse(
        actions=actions,
        threats=threats,
        places=places,
        buckets=buckets,
        coaffected=co,
        completeness=comp,
        warnings=warnings,
        notes=notes,
    )


def _bucket(req: SuggestRequest, rec: Any) -> BucketSuggestion:
    """A planning recommendation (pydantic model or dict) as the API's BucketSuggestion."""
    data = rec.model_dump() if hasattr(rec, "model_dump") else dict(rec)
    bucket = str(data.get("bucket") or data.get("code") or data.get("name") or "")
    bucket = bucket.rsplit("#", 1)[-1]
    prob = float(data.get("probability", data.get("score", 0.0)) or 0.0)
    reasons = data.get("reasons") or data.get("reason") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    return BucketSuggestion(
        id=mint_suggestion(req.assessment_id, "bucket", bucket, "", 0, 0),
        bucket=bucket,
        label=str(data.get("label") or BUCKET_LABELS.get(bucket, bucket)),
        probability=max(0.0, min(1.0, prob)),
        recommended=bool(data.get("recommended", False)),
        reasons=[str(r) for r in reasons],
        exsitu_roles=[str(r) for r in data.get("exsitu_roles") or []],
        model=str(data.get("model") or ""),
    )


