"""nlp.markup — narrative markup (HTML tags, entities) → plain text with an offset map back.

Red List narratives (website downloads, API v3/v4) are HTML fragments: `<p>`, `<br/>`,
`<em>`, `<span style=...>`, `&#160;`, `&amp;`... Extraction runs on the plain text; every
character of the plain text remembers where it came from in the original string, so a span
found in the plain text maps back to exact ORIGINAL offsets (`Stripped.original_span`).

Pure functions, no I/O.
"""

from __future__ import annotations

import html
import re
from array import array
from dataclasses import dataclass

__all__ = ["Stripped", "strip_markup"]

# a tag: <p>, </p>, <br/>, <span style="...">, <a href='...'>; comments; CDATA is rare in RL text
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_TAGS = frozenset("p br div li ul ol tr td th table h1 h2 h3 h4 h5 h6 blockquote hr dd dt section".split())
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9:-]*)")
# characters that become a plain space (no-break spaces, zero-width and soft hyphens dropped)
_SPACE_TABLE = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\t": " ", "\r": " "})
_DROP = frozenset("\u200b\u200c\u200d\u00ad\ufeff")


@dataclass(frozen=True)
class Stripped:
    """Plain text plus, for each plain character, its [start, end) in the original."""

    original: str
    text: str
    starts: array  # array('l'), len == len(text)
    ends: array

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of plain span [start, end) (end exclusive); empty spans allowed."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span [{start}, {end}) outside plain text of {len(self.text)} chars")
        if not self.text:
            return (0, 0)
        if start == end:
            pos = self.starts[start] if start < len(self.text) else self.ends[-1]
            return (pos, pos)
        return (self.starts[start], self.ends[end - 1])


def strip_markup(original: str) -> Stripped:
    """Strip tags and decode entities; block tags become a newline, inline tags vanish.

    Text with no markup at all is returned unchanged (identity offsets). A lone "<" that does
    not open a tag ("< 50 individuals") is kept as text.
    """
    if original is None:
        original = ""
    if not isinstance(original, str):
        raise TypeError(f"text must be str, not {type(original).__name__}")
    out: list[str] = []
    starts = array("l")
    ends = array("l")
    last = [""]  # last plain character emitted

    def run(a: int, b: int) -> None:
        """Copy original[a:b] (plain text, no markup) one-to-one."""
        if a >= b:
            return
        chunk = original[a:b]
        if _DROP.isdisjoint(chunk):
            out.append(chunk.translate(_SPACE_TABLE))
            starts.extend(range(a, b))
            ends.extend(range(a + 1, b + 1))
        else:
            for i in range(a, b):
                one(original[i], i, i + 1)
        last[0] = out[-1][-1:] if out else ""

    def one(chars: str, s: int, e: int) -> None:
        """Emit replacement characters that all map to original [s, e)."""
        for ch in chars.translate(_SPACE_TABLE):
            if ch in _DROP:
                continue
            out.append(ch)
            starts.append(s)
            ends.append(e)
            last[0] = ch

    n = len(original)
    if "<" not in original and "&" not in original:
        run(0, n)
        return Stripped(original, "".join(out), starts, ends)
    pos = 0
    while pos < n:
        lt = original.find("<", pos)
        amp = original.find("&", pos)
        nxt = min(x for x in (lt, amp, n) if x >= 0)
        run(pos, nxt)
        if nxt >= n:
            break
        if nxt == lt:
            m = _TAG.match(original, lt)
            if m is None:
                one("<", lt, lt + 1)
                pos = lt + 1
                continue
            name_m = _TAG_NAME.match(m.group(0))
            name = name_m.group(1).lower() if name_m else ""
            if name in _BLOCK_TAGS and last[0] not in ("", "\n"):
                # a block boundary: one newline, anchored (zero-width) at the tag's start
                one("\n", m.start(), m.start())
            pos = m.end()
        else:
            m = _ENTITY.match(original, amp)
            if m is None:
                one("&", amp, amp + 1)
                pos = amp + 1
                continue
            decoded = html.unescape(m.group(0))
            if decoded == m.group(0):  # unknown entity: keep it verbatim
                run(m.start(), m.end())
            else:
                one(decoded, m.start(), m.end())
            pos = m.end()
    return Stripped(original, "".join(out), starts, ends)
