"""nlp.corpus: documents and labels from downloads, narrative CSVs and coded tables; the split."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.corpus import load_corpus, split_of

NARRATIVES = """iucn_sid,name,rationale,threats,conservationmeasures,habitat
901,901,It is rare.,Logging is a threat.,<p>Nest boxes are needed.</p>,NA
902,902,It is common.,None known.,Habitat protection is needed.,Forest.
"""
CODED = """assessmentId,internalTaxonId,scientificName,code,name,note
5555,901,Fictus primus,3.2,Species recovery,Put up nest boxes
"""
THREATS_BY_NAME = """scientificName,thr_lev2
Fictus primus,5.3
"""
NAMES = """iucn_sid,sciname
901,Fictus primus
"""


def test_split_is_fixed_and_balanced() -> None:
    assert split_of("12345") == split_of("12345")
    counts = {"train": 0, "val": 0, "test": 0}
    for i in range(5000):
        counts[split_of(str(i))] += 1
    assert 2800 < counts["train"] < 3200 and 800 < counts["val"] < 1200 and 800 < counts["test"] < 1200


def test_narratives_joined_to_coded_tables(tmp_path: Path) -> None:
    (tmp_path / "narr").mkdir()
    (tmp_path / "narr" / "narratives.csv").write_text(NARRATIVES, encoding="utf-8")
    (tmp_path / "narr" / "names.csv").write_text(NAMES, encoding="utf-8")
    (tmp_path / "codes").mkdir()
    (tmp_path / "codes" / "actions_needed.csv").write_text(CODED, encoding="utf-8")
    (tmp_path / "codes" / "threats_by_species.csv").write_text(THREATS_BY_NAME, encoding="utf-8")
    docs = {d.taxon_id: d for d in load_corpus([tmp_path])}
    assert set(docs) == {"901", "902"}
    d = docs["901"]
    assert d.scientific_name == "Fictus primus"
    assert d.labels["actions"] == frozenset({"3.2"}) and d.labels["threats"] == frozenset({"5.3"})
    assert "habitat" not in d.texts and d.texts["conservation_actions"] == "<p>Nest boxes are needed.</p>"
    assert docs["902"].labels["actions"] is None  # not coded: unknown, not empty


def test_synthetic_download(tmp_path: Path) -> None:
    synth = pytest.importorskip("kg.synth")
    synth.write_download(tmp_path / "dl", species=20, seed=3)
    docs = load_corpus([tmp_path / "dl"])
    assert len(docs) >= 20
    coded = [d for d in docs if d.labels["threats"]]
    assert coded and all(d.label_source["threats"] == "threats.csv" for d in coded)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_corpus([tmp_path / "nope"])
