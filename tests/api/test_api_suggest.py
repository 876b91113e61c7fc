"""POST /suggest (warnings, co-affected species, text suggestions) and POST /feedback."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from api.schemas import SuggestRequest
from api.services.consistency import criteria_warnings
from kg import iris
from kg.store import Store

DRAFT: dict[str, Any] = SuggestRequest.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]


def kinds(resp: dict[str, Any]) -> list[str]:
    return [w["kind"] for w in resp["warnings"]]


def test_example_draft(client: TestClient) -> None:
    r = client.post("/suggest", json=DRAFT)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["completeness"]["section"] == "complete"  # text and coded actions needed
    unanswered = [w["codes"] for w in body["warnings"] if w["kind"] == "threat_without_action"]
    assert ["7.1.1"] in unanswered  # site protection does not answer fire
    assert set(body) >= {"actions", "threats", "places", "buckets", "coaffected", "warnings",
                         "completeness", "notes"}


def test_empty_draft_is_valid(client: TestClient) -> None:
    r = client.post("/suggest", json={})
    assert r.status_code == 200
    body = r.json()
    assert body["completeness"] == {"section": "empty", "score": 0, "filled": [],
                                    "missing": body["completeness"]["missing"]}
    assert "conservation_section" in kinds(body)


def test_threat_action_warnings(client: TestClient) -> None:
    body = client.post("/suggest", json={
        "category": "EN", "criteria": "B1ab(iii)",
        "texts": {"conservation_actions": "Protection is needed."},
        "threats": [{"code": "2.1.1"}, {"code": "5.1.1"}],
        "actions": [{"code": "1.1"}, {"code": "4.3"}, {"code": "5.1.1"}],
        "countries": ["ID"], "habitats": ["1.6"],
    }).json()
    w = {(x["kind"], tuple(x["codes"])) for x in body["warnings"]}
    # site protection (1.1) answers agriculture (2) but not hunting (5.1.1)?
    answered = [x for x in body["warnings"] if x["kind"] == "threat_without_action"]
    assert all(x["codes"][0] in ("2.1.1", "5.1.1") for x in answered)
    assert body["completeness"]["section"] == "complete"
    assert ("criteria_category", ()) not in w


@pytest.mark.parametrize(
    ("category", "criteria", "expect"),
    [
        ("CR", "", "must state the criteria"),
        ("LC", "A2c", "takes no criteria"),
        ("EN", "D2", "only to Vulnerable"),
        ("CR", "B1a", "at least two"),
        ("VU", "nonsense", "cannot be parsed"),
        ("", "A2c", "no category"),
    ],
)
def test_criteria_that_do_not_fit(category: str, criteria: str, expect: str) -> None:
    msgs = [w.message for w in criteria_warnings(category, criteria)]
    assert any(expect in m for m in msgs), msgs


@pytest.mark.parametrize(("category", "criteria"),
                         [("CR", "B1ab(iii)+2ab(iii)"), ("VU", "D2"), ("EN", "A2cd"),
                          ("LC", ""), ("NT", "")])
def test_criteria_that_fit(category: str, criteria: str) -> None:
    assert criteria_warnings(category, criteria) == []


def test_criteria_warning_through_the_api(client: TestClient) -> None:
    body = client.post("/suggest", json={"category": "LC", "criteria": "B1ab(iii)"}).json()
    assert "criteria_category" in kinds(body)


def test_places_in_text_but_not_coded(client: TestClient) -> None:
    body = client.post("/suggest", json={
        "texts": {"range": "It occurs in Indonesia and in Malaysia."},
        "countries": ["ID"],
    }).json()
    places = {p["code"]: p for p in body["places"]}
    if not places:  # neither nlp nor its rule-based gazetteer could be imported
        assert any("place" in n for n in body["notes"])
        return
    assert places["ID"]["already_coded"] and not places["MY"]["already_coded"]
    text = "It occurs in Indonesia and in Malaysia."
    assert text[places["MY"]["start"]:places["MY"]["end"]] == places["MY"]["text"] == "Malaysia"
    not_coded = [w for w in body["warnings"] if w["kind"] == "place_not_coded"]
    assert [w["codes"] for w in not_coded] == [["MY"]]


def test_coaffected_species_from_the_graph(client: TestClient, species_ids: dict[str, str]) -> None:
    sheet = client.get(f"/species/{species_ids['threatened']}").json()["latest"]
    draft = {
        "threats": [{"code": t["code"]} for t in sheet["threats"]],
        "countries": [p["code"] for p in sheet["places"] if p["type"] == "country"],
    }
    body = client.post("/suggest", json=draft).json()
    ids = [c["taxon_id"] for c in body["coaffected"]]
    assert species_ids["threatened"] in ids  # a draft that is not the taxon itself
    first = body["coaffected"][0]
    assert first["shared_threats"] and first["shared_countries"] and first["score"] >= 1
    draft["taxon"] = {"taxon_id": species_ids["threatened"]}
    body = client.post("/suggest", json=draft).json()
    assert species_ids["threatened"] not in [c["taxon_id"] for c in body["coaffected"]]


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        ({"threats": [{"code": "99.9"}]}, "body.threats[0].code"),
        ({"actions": [{"code": "1.1"}, {"code": "77"}]}, "body.actions[1].code"),
        ({"countries": ["ZZ"]}, "body.countries[0]"),
        ({"habitats": ["0.0"]}, "body.habitats[0]"),
        ({"research": ["9.9.9"]}, "body.research[0]"),
        ({"category": "XX"}, "body.category"),
        ({"threats": [{"code": "7.2", "scope": "everything"}]}, "body.threats[0].scope"),
        ({"texts": {"nonsense": "x"}}, "body.texts.nonsense"),
    ],
)
def test_unknown_codes_are_422_naming_the_field(client: TestClient, draft: dict[str, Any],
                                                field: str) -> None:
    r = client.post("/suggest", json=draft)
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]], r.json()


def test_labels_are_accepted_for_codes(client: TestClient) -> None:
    r = client.post("/suggest", json={"countries": ["Indonesia"], "category": "Endangered"})
    assert r.status_code == 200


def test_oversized_text_is_413(client: TestClient) -> None:
    r = client.post("/suggest", json={"texts": {"threats": "peat " * 60_000}})
    assert r.status_code == 413 and "texts.threats" in r.json()["detail"]
    r = client.post("/suggest", content=b'{"texts": {"threats": "' + b"x" * (10 * 2**20) + b'"}}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = client.post("/suggest", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422


def test_notes_say_what_is_missing(client: TestClient) -> None:
    body = client.post("/suggest", json={"texts": {"threats": "Logging."}}).json()
    # the test app runs without nlp models and without the planning module
    if body["buckets"] is None:
        assert any("planning" in n for n in body["notes"])


def test_feedback_is_recorded_with_who_and_when(client: TestClient, graph_store: Store,
                                                species_ids: dict[str, str],
                                                write_headers: dict[str, str]) -> None:
    ref = {"assessment_id": species_ids["assessment"], "kind": "action", "code": "1.1",
           "label": "Site/area protection", "status": "needed", "confidence": 0.8,
           "field": "conservation_actions", "start": 3, "end": 12,
           "sentence": "A protected area is needed.", "model": "test/v1"}
    r = client.post("/feedback", json={"suggestion": ref, "verdict": "reject",
                                       "who": "A. Assessor", "institution": "SSC"},
                    headers=write_headers)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["graph"] == iris.graph("feedback")
    q = """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?verdict ?when ?name ?code WHERE { GRAPH ?g {
      ?fb a a2p:Feedback ; a2p:verdict ?verdict ; prov:generatedAtTime ?when ;
          prov:wasAttributedTo/rdfs:label ?name ; a2p:onSuggestion ?s .
      ?s a a2p:Suggestion ; a2p:suggestedCode ?code ; a2p:aboutAssessment ?a } }"""
    rows = graph_store.select(q, {"fb": URIRef(out["id"]), "g": URIRef(iris.graph("feedback"))})
    row = rows.values()[0]
    assert row["verdict"] == "reject" and row["name"] == "A. Assessor"
    assert row["code"] == iris.concept("actions", "1.1")
    # the stored suggestion now shows on the assessment with its verdict count
    sheet = client.get(f"/assessments/{species_ids['assessment']}").json()
    stored = [s for s in sheet["suggestions"] if s["id"] == out["suggestion_id"]]
    assert stored and stored[0]["rejected"] == 1
    # a second verdict on the same suggestion reuses the node (no duplicate confidence)
    r = client.post("/feedback", json={"suggestion": {**ref, "id": out["suggestion_id"]},
                                       "verdict": "accept", "who": "B. Reviewer"},
                    headers=write_headers)
    assert r.status_code == 201 and r.json()["suggestion_id"] == out["suggestion_id"]
    n = graph_store.select(
        "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
        "SELECT (COUNT(?c) AS ?n) WHERE { ?s a2p:confidence ?c }", {"s": URIRef(out["suggestion_id"])}
    ).values()[0]["n"]
    assert int(n) == 1


def test_feedback_shacl_conformant(client: TestClient, graph_store: Store) -> None:
    from kg.validate import data_graph, validate_graph

    report = validate_graph(data_graph(graph_store))
    bad = [v for v in getattr(report, "violations", []) if "suggestion" in str(v).lower()]
    assert not bad, bad


def test_feedback_errors(client: TestClient, write_headers: dict[str, str]) -> None:
    base = {"kind": "action", "code": "1.1"}

    def post(body: dict[str, Any]) -> Any:
        return client.post("/feedback", json=body, headers=write_headers)

    r = post({"suggestion": {**base, "assessment_id": "12345"}, "verdict": "accept", "who": "x"})
    assert r.status_code == 404
    r = post({"suggestion": base, "verdict": "maybe", "who": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.verdict"
    r = post({"suggestion": {**base, "code": "99"}, "verdict": "accept", "who": "x"})
    assert r.status_code == 422
    r = post({"suggestion": {**base, "id": "http://evil/x> <y"}, "verdict": "accept", "who": "x"})
    assert r.status_code == 422
    r = post({"suggestion": base, "verdict": "accept", "who": ""})
    assert r.status_code == 422


@pytest.mark.slow
def test_text_suggestions_from_nlp(graph_store: Store, app_factory: Any) -> None:
    """With the nlp models: suggested codes carry spans that point into the draft's text."""
    app = app_factory(graph_store, use_nlp=True)
    with TestClient(app) as c:
        body = c.post("/suggest", json=DRAFT).json()
        if any("unavailable" in n and "text" in n for n in body["notes"]):
            pytest.skip("nlp models unavailable: " + "; ".join(body["notes"]))
        assert body["threats"] and body["actions"]
        for s in body["threats"] + body["actions"] + body["places"]:
            assert DRAFT["texts"][s["field"]][s["start"]:s["end"]] == s["text"]
            assert 0 <= s["confidence"] <= 1 and s["id"].startswith(iris.ID)
        codes = {s["code"] for s in body["threats"]}
        assert codes & {"2.2.2", "2.2", "7.1.1", "7.1"}, codes
        coded = [s for s in body["threats"] if s["code"] == "2.2.2"]
        assert not coded or coded[0]["already_coded"]


@pytest.mark.slow
def test_extraction_processes_answer_as_the_server_process(graph_store: Store, app_factory: Any) -> None:
    """A2P_NLP_PROCESSES (the service default: 2) moves the extraction into worker processes;
    /suggest answers exactly as with extraction in the server process."""
    import time

    from api.services.suggest import COAFFECTED_INDEX

    deadline = time.time() + 120  # both answers from the planning index (not one from its fallback)
    while COAFFECTED_INDEX.get(graph_store) is None and time.time() < deadline:
        time.sleep(0.2)
    assert COAFFECTED_INDEX.get(graph_store) is not None
    answers = []
    for processes in (0, 1):
        app = app_factory(graph_store, use_nlp=True, nlp_processes=processes)
        with TestClient(app) as c:
            body = c.post("/suggest", json=DRAFT).json()
            if any("unavailable" in n and "text" in n for n in body["notes"]):
                pytest.skip("nlp models unavailable: " + "; ".join(body["notes"]))
            answers.append(body)
            pool = app.state.registry.text._pool
            assert (pool is not None) == (processes > 0)
    assert answers[1] == answers[0]
    assert answers[0]["threats"] and answers[0]["buckets"]
    assert pool is not None and pool._executor is None  # the app's shutdown stopped the workers
