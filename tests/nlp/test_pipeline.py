"""The extraction pipeline end to end with the committed models (small hand-written texts)."""

from __future__ import annotations

import json

import pytest
import spacy

import nlp
from kg.records import Assessment
from nlp.pipeline import InputTooLargeError

FACTORIES = (
    "a2p_SentenceSegmenter_v1",
    "a2p_ActionDetector_v1",
    "a2p_ThreatDetector_v1",
    "a2p_CodeMapper_v1",
    "a2p_PlaceDetector_v1",
    "a2p_ExSituRoleDetector_v1",
)


def _codes(mentions, kind: str) -> dict[str, str]:
    return {m.code: m.status for m in mentions if m.kind == kind}


def test_factories_are_registered_on_a_blank_pipeline() -> None:
    import nlp.components  # noqa: F401

    blank = spacy.blank("en")
    for name in FACTORIES:
        assert blank.has_factory(name)
    blank.add_pipe("a2p_SentenceSegmenter_v1")
    doc = blank("It was found by Doe et al. 2001 in Lake Fictara. It is rare.")
    assert [s.text for s in doc.sents] == [
        "It was found by Doe et al. 2001 in Lake Fictara.",
        "It is rare.",
    ]


def test_captive_breeding_maps_to_3_4_1_needed(extractor) -> None:
    got = nlp.extract(
        "A captive breeding programme is recommended.",
        "conservation_actions",
        model_dir=_root(extractor),
    )
    assert _codes(got, "action").get("3.4.1") == "needed"
    assert "insurance" in _codes(got, "exsitu_role")


def test_invasive_rat_control_maps_to_2_2(extractor) -> None:
    got = nlp.extract(
        "Control of invasive rats is needed on the island.",
        "conservation_actions",
        model_dir=_root(extractor),
    )
    assert _codes(got, "action").get("2.2") == "needed"


def test_in_place_and_negated(extractor) -> None:
    got = nlp.extract(
        "It occurs in the Fictus Hills National Park.",
        "conservation_actions",
        model_dir=_root(extractor),
    )
    assert _codes(got, "action").get("1.1") == "in_place"
    neg = nlp.extract("No conservation measures are in place.", "conservation_actions", model_dir=_root(extractor))
    assert all(m.status == "negated" for m in neg if m.kind == "action")


def test_threats_and_countries(extractor) -> None:
    got = nlp.extract(
        "The main threat is logging of its forest in Indonesia and Malaysia.",
        "threats",
        model_dir=_root(extractor),
    )
    assert "5.3" in {m.code.rsplit(".", 1)[0] if m.code.count(".") == 2 else m.code for m in got if m.kind == "threat"}
    assert {"ID", "MY"} <= set(_codes(got, "place"))


def test_html_spans_map_back_to_the_original(extractor) -> None:
    html = (
        "<p>The <em>frog</em> is listed&#160;on CITES.</p>"
        '<p>A <span style="font-style: italic;">captive '
        "breeding</span> programme &amp; habitat restoration are recommended in Viet Nam.</p>"
    )
    got = nlp.extract(html, "conservation_actions", model_dir=_root(extractor))
    assert got
    from nlp.markup import strip_markup

    plain = strip_markup(html).text
    for m in got:
        evidence = strip_markup(html[m.start : m.end]).text
        assert evidence and evidence in m.sentence and m.sentence in plain
    vn = [m for m in got if m.kind == "place" and m.code == "VN"]
    assert vn and html[vn[0].start : vn[0].end] == "Viet Nam"


def test_bad_inputs_never_crash(extractor) -> None:
    root = _root(extractor)
    assert nlp.extract("", model_dir=root) == []
    assert nlp.extract("   \n  ", model_dir=root) == []
    assert nlp.extract("<p></p>", model_dir=root) == []
    spanish = (
        "La especie está protegida por la ley y se encuentra en varias áreas protegidas de la región del sur del país."
    )
    assert nlp.extract(spanish, model_dir=root) == []
    with pytest.raises(InputTooLargeError, match="over the limit"):
        nlp.extract("Hunting is a threat. " * 50_000, model_dir=root)  # 1 MB (seconds: benchmarks/extract.py)
    with pytest.raises(ValueError):
        nlp.extract("text", field="not_a_field", model_dir=root)


@pytest.mark.parametrize(
    "text",
    [
        "L'espèce est protégée par la loi et se trouve dans plusieurs aires protégées de la région du sud du "
        "pays, où la chasse est interdite.",
        "Spesies ini dilindungi oleh undang-undang dan ditemukan di beberapa kawasan lindung di wilayah selatan "
        "negara, tempat perburuan dilarang.",
        "该物种受法律保护，分布于该国南部地区的若干保护区内，禁止狩猎。栖息地丧失是主要威胁。",
        "Вид охраняется законом и встречается в нескольких охраняемых районах на юге страны, где охота запрещена.",
    ],
)
def test_non_english_text_gives_nothing(extractor, text: str) -> None:
    assert nlp.extract(text, "conservation_actions", model_dir=_root(extractor)) == []


def test_api_v4_narrative_markup_lists_and_entities(extractor) -> None:
    """API v4 narratives: <p>, <strong>, <ul><li>, <i>, <br />, &nbsp; &ndash; &amp;."""
    html = (
        "<p><strong>Conservation actions needed:</strong></p>"
        "<ul><li>Captive breeding of <i>Fictus primus</i> at a mainland zoo</li>"
        "<li>Control of invasive rats&nbsp;on the islets</li></ul>"
        "<p>It occurs in the Fictus Hills National Park &ndash; the only protected area in its range.<br />"
        "Hunting &amp; trapping are banned.</p>"
    )
    got = nlp.extract(html, "conservation_actions", model_dir=_root(extractor))
    from nlp.markup import strip_markup

    for m in got:
        evidence = strip_markup(html[m.start : m.end]).text
        assert evidence and evidence in m.sentence
        assert "<" not in m.sentence and "&nbsp;" not in m.sentence and "&amp;" not in m.sentence
    actions = _codes(got, "action")
    assert actions.get("2.2") == "needed"  # a list item under the "needed:" header
    assert actions.get("1.1") == "in_place"
    assert _codes(got, "exsitu_role").get("insurance") == "needed"
    banned = [m for m in got if m.kind == "action" and "Hunting" in m.sentence]
    assert all(html[m.start : m.end].startswith("Hunting &amp;") for m in banned)


def test_oversized_field_is_skipped_by_extract_many_with_a_warning(extractor, caplog) -> None:
    a = Assessment(
        assessment_id="9",
        taxon_id="9",
        scientific_name="Fictus magnus",
        category="VU",
        texts={
            "threats": "Hunting is a threat. " * 50_000,
            "conservation_actions": "Control of invasive rats is needed on the island.",
        },
    )
    with caplog.at_level("WARNING", logger="nlp.pipeline"):
        got = list(nlp.extract_many([a], model_dir=_root(extractor)))
    assert {m.field for m in got} == {"conservation_actions"}
    assert any("'threats'" in r.getMessage() and "over the limit" in r.getMessage() for r in caplog.records)


def test_deterministic_and_batched_equals_single(extractor) -> None:
    root = _root(extractor)
    a = Assessment(
        assessment_id="42",
        taxon_id="7",
        scientific_name="Fictus primus",
        category="EN",
        texts={
            "threats": "It is hunted for bushmeat in Fictonia.",
            "conservation_actions": "Nest boxes should be installed. It occurs in Lake Fictara.",
        },
    )
    b = a.model_copy(update={"assessment_id": "43"})
    one = nlp.extract_assessment(a, model_dir=root)
    assert one == nlp.extract_assessment(a, model_dir=root)
    assert all(m.assessment_id == "42" and m.model and "/" in m.model for m in one)
    many = list(nlp.extract_many([a, b], batch_size=1, model_dir=root))
    assert [m.model_copy(update={"assessment_id": "42"}) for m in many if m.assessment_id == "43"] == one


def test_cli_extract_prints_json_lines(extractor, tmp_path) -> None:
    from typer.testing import CliRunner

    from nlp.__main__ import app

    f = tmp_path / "t.txt"
    f.write_text("A captive breeding programme is recommended.", encoding="utf-8")
    res = CliRunner().invoke(
        app,
        [
            "extract",
            str(f),
            "--field",
            "conservation_actions",
            "--model-dir",
            str(_root(extractor)),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows and {
        "kind",
        "code",
        "label",
        "status",
        "confidence",
        "start",
        "end",
        "sentence",
    } <= set(rows[0])
    big = tmp_path / "big.txt"
    big.write_text("x " * 600_000, encoding="utf-8")
    res = CliRunner().invoke(app, ["extract", str(big), "--model-dir", str(_root(extractor))])
    assert res.exit_code == 2 and "over the limit" in res.output


def _root(extractor):
    return extractor.pipeline.get_pipe("action_mapper").model.path.parents[1]
