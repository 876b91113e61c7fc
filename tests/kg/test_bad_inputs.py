"""Bad inputs (tests/bad_inputs/ and zips built here): a clear one-line error, store untouched.

The cases and the error each must give are listed in tests/bad_inputs/manifest.toml.

Each case runs `a2p ingest CASE --store oxigraph:DIR -q` on a store that already holds the
mini export, and checks: non-zero exit, exactly one `error: ...` line naming the file (and
the row and column where there is one), no traceback, and a byte-identical N-Quads dump.
"""

from __future__ import annotations

import io
import shutil
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg.ingest
from api.cli import app
from kg.ingest import _Source
from kg.load import ingest
from kg.store import open_store

HERE = Path(__file__).resolve().parent
BAD = HERE.parent / "bad_inputs"
MINI = HERE.parent / "data" / "mini-export"


def _empty_folder(tmp: Path) -> Path:
    (tmp / "empty").mkdir()
    return tmp / "empty"


def _good_zip(path: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(MINI.glob("*.csv")):
            z.write(p, prefix + p.name)
    return path


def _traversal_zip(tmp: Path) -> Path:
    path = _good_zip(tmp / "traversal.zip", prefix="export/")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("../evil.csv", "assessmentId\n1\n")
    return path


def _truncated_zip(tmp: Path) -> Path:
    good = _good_zip(tmp / "whole.zip").read_bytes()
    path = tmp / "truncated.zip"
    path.write_bytes(good[: len(good) * 2 // 3])
    return path


def _corrupt_member_zip(tmp: Path) -> Path:
    """Central directory intact, but assessments.csv's compressed bytes are damaged."""
    data = bytearray(_good_zip(tmp / "whole.zip").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("assessments.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 20, start + 60):
        data[i] ^= 0xFF
    path = tmp / "corrupt.zip"
    path.write_bytes(bytes(data))
    return path


def _absolute_zip(tmp: Path) -> Path:
    path = _good_zip(tmp / "absolute.zip")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("/tmp/evil.csv", "assessmentId\n1\n")
    return path


def _backslash_zip(tmp: Path) -> Path:
    path = _good_zip(tmp / "backslash.zip")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("..\\evil.csv", "assessmentId\n1\n")
    return path


def _empty_zip(tmp: Path) -> Path:
    path = tmp / "empty.zip"
    path.write_bytes(b"")
    return path


def _text_named_zip(tmp: Path) -> Path:
    path = tmp / "text.zip"
    path.write_text("assessmentId\n1\n", encoding="utf-8")
    return path


def _readme_only_zip(tmp: Path) -> Path:
    path = tmp / "readme.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("README.txt", "not a download")
    return path


def _bomb_zip(tmp: Path) -> Path:
    """A 64 MiB assessments.csv of blanks that deflates to about 64 KB: over the ratio limit."""
    header = (MINI / "assessments.csv").read_bytes().split(b"\n")[0] + b"\n"
    path = tmp / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("assessments.csv", header + b" " * (64 * 1024**2 - len(header)))
    return path


def _huge_member_zip(tmp: Path) -> Path:
    """A good zip whose central directory claims credits.csv unpacks to 3.75 GiB."""
    data = bytearray(_good_zip(tmp / "whole.zip").read_bytes())
    entry = data.index(b"PK\x01\x02")  # the first central directory entry
    while data[entry + 46 : entry + 46 + len(b"credits.csv")] != b"credits.csv":
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (0xF0000000).to_bytes(4, "little")
    path = tmp / "huge.zip"
    path.write_bytes(bytes(data))
    return path


def _utf16_no_bom_folder(tmp: Path) -> Path:
    folder = tmp / "utf16"
    shutil.copytree(MINI, folder)
    text = (MINI / "assessments.csv").read_text(encoding="utf-8")
    (folder / "assessments.csv").write_bytes(text.encode("utf-16-le"))
    return folder


def _late_bad_byte_folder(tmp: Path) -> Path:
    """A Latin-1 byte just after the first 1 MiB read, behind a UTF-8 letter split across reads."""
    folder = tmp / "late"
    shutil.copytree(MINI, folder)
    lines = (MINI / "assessments.csv").read_bytes().split(b"\n")
    head = lines[0] + b"\n" + lines[1][:10]
    filler = b"x" * (1024**2 - 1 - len(head))
    (folder / "assessments.csv").write_bytes(head + filler + "é".encode() + b"\xe9x" + lines[1][10:] + b"\n")
    return folder


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "bomb_zip": _bomb_zip,
    "huge_member_zip": _huge_member_zip,
    "utf16_no_bom_folder": _utf16_no_bom_folder,
    "late_bad_byte_folder": _late_bad_byte_folder,
    "empty_folder": _empty_folder,
    "traversal_zip": _traversal_zip,
    "absolute_zip": _absolute_zip,
    "backslash_zip": _backslash_zip,
    "truncated_zip": _truncated_zip,
    "empty_zip": _empty_zip,
    "text_named_zip": _text_named_zip,
    "readme_only_zip": _readme_only_zip,
    "corrupt_member_zip": _corrupt_member_zip,
}


@dataclass(frozen=True)
class Bad:
    name: str
    where: str  # substring naming the file (or zip member)
    row: int | None = None
    column: str | None = None
    says: tuple[str, ...] = ()  # further substrings of the message
    build: str | None = None  # made at runtime by BUILDERS[build] instead of tests/bad_inputs

    def path(self, tmp: Path) -> Path:
        return BUILDERS[self.build](tmp) if self.build else BAD / self.name


def load_manifest() -> list[Bad]:
    with open(BAD / "manifest.toml", "rb") as fh:
        entries = tomllib.load(fh)["ingest"]
    return [Bad(**{**e, "says": tuple(e.get("says", ()))}) for e in entries]


CASES = load_manifest()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Oxigraph store holding the mini export, closed, to be copied per case."""
    path = tmp_path_factory.mktemp("template") / "graph"
    with open_store(f"oxigraph:{path}") as st:
        ingest([MINI], st)
    return path


def dump(path: Path) -> bytes:
    buf = io.BytesIO()
    with open_store(f"oxigraph:{path}") as st:
        st.dump(buf)
    return buf.getvalue()


def run_cli(source: Path, store: Path) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(app, ["ingest", str(source), "--store", f"oxigraph:{store}", "-q"])
    return result.exit_code, result.stdout, result.stderr, result.exception


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_is_refused_cleanly(case: Bad, template: Path, tmp_path: Path) -> None:
    store = tmp_path / "graph"
    shutil.copytree(template, store)
    before = dump(store)
    assert b"/assessment/a800102>" in before

    code, out, err, exc = run_cli(case.path(tmp_path), store)

    assert code != 0
    assert isinstance(exc, SystemExit), f"uncaught {exc!r}"
    assert "Traceback" not in out + err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("error: ")
    assert case.where in line
    if case.row is not None:
        assert f"row {case.row}" in line
    else:
        assert ", row " not in line
    if case.column is not None:
        assert f"column '{case.column}'" in line
    for words in case.says:
        assert words in line
    assert dump(store) == before


def test_cases_cover_every_committed_bad_input() -> None:
    committed = {p.name for p in BAD.iterdir() if p.is_dir() and p.name != "sparql"}
    assert committed == {c.name for c in CASES if c.build is None}
    assert {c.build for c in CASES if c.build} == set(BUILDERS)
    assert len({c.name for c in CASES}) == len(CASES)


def test_fixed_input_goes_through(template: Path, tmp_path: Path) -> None:
    """Control: the same download with its bad row corrected ingests and changes the store."""
    fixed = tmp_path / "fixed"
    shutil.copytree(BAD / "unknown_threat_code", fixed)
    threats = fixed / "threats.csv"
    threats.write_text(threats.read_text(encoding="utf-8").replace(",13.7,", ",7.2.1,"), "utf-8")
    store = tmp_path / "graph"
    shutil.copytree(template, store)
    before = dump(store)

    code, out, err, _ = run_cli(fixed, store)

    assert code == 0, err
    assert out.startswith("ingested 2 assessments of 2 taxa")
    after = dump(store)
    assert after != before
    assert b"/assessment/a700002>" in after


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_streamed_lines_match_a_whole_file_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """Reads of any size split lines as one whole read would: \\n, \\r\\n and \\r ends, a
    UTF-8 byte order mark, letters of two to four bytes cut between reads, no final newline."""
    monkeypatch.setattr(kg.ingest, "READ_CHUNK", chunk)
    text = 'a,b\r\n"x\r\ny",é\rñ,€\n\n😀,z\r\r\nlast,"q"'
    folder = tmp_path / "lines"
    folder.mkdir()
    (folder / "f.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert list(_Source(folder).lines("f.csv")) == io.StringIO(text, newline="").readlines()


def test_zip_read_in_small_pieces_gives_the_folder_graph(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control for the zip limits: a zip of the mini export (with a small member that compresses
    1000:1, below the ratio floor) ingests, read 4 KiB at a time, to the folder's graph."""
    path = _good_zip(tmp_path / "good.zip")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("notes.txt", b" " * 1024**2)
    monkeypatch.setattr(kg.ingest, "READ_CHUNK", 4096)
    with open_store(f"oxigraph:{tmp_path / 'zipped'}") as st:
        ingest([path], st)
        zipped = io.BytesIO()
        st.dump(zipped)
    with open_store(f"oxigraph:{tmp_path / 'folder'}") as st:
        ingest([MINI], st)
        folder = io.BytesIO()
        st.dump(folder)

    def lines(buf: io.BytesIO) -> list[bytes]:  # the zip's name is in each assessment's sourceFile
        return sorted(ln for ln in buf.getvalue().splitlines() if b"sourceFile" not in ln)

    assert lines(zipped) == lines(folder) and len(lines(folder)) > 1000
