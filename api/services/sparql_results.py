"""api.services.sparql_results — SPARQL result serialisers with a row cap; no I/O, no store.

Terms arrive as plain tuples so that both pyoxigraph (in the query processes) and rdflib
(in-process stores) can feed them:

    ("uri", iri) · ("bnode", id) · ("literal", lexical, datatype_or_"", lang_or_"")

SELECT/ASK results: SPARQL 1.1 JSON, XML, CSV and TSV. Truncation (the row cap was hit) is
marked in the body where the format has room for it (JSON: a top-level "truncated"
object; XML: a <link> in the head plus a comment) and refused for CSV/TSV, which have none
(see `TRUNCATION_MARKABLE`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

Term = tuple[str, ...]
Row = Sequence[Term | None]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
TRUNCATION_LINK = "urn:a2p:truncated"

# result formats: short name -> media type
SELECT_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS: dict[str, str] = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
# formats in which a truncated result can carry an explicit marker in its body
TRUNCATION_MARKABLE = {"json", "xml", "turtle", "ntriples"}


def truncation_note(cap: int) -> str:
    return (
        f"result truncated at the row cap of {cap}: more rows exist. "
        "Page with ORDER BY ... LIMIT/OFFSET or narrow the query."
    )


# --------------------------------------------------------------------------- SELECT / ASK


def _json_term(t: Term) -> dict[str, str]:
    kind = t[0]
    if kind == "uri":
        return {"type": "uri", "value": t[1]}
    if kind == "bnode":
        return {"type": "bnode", "value": t[1]}
    d = {"type": "literal", "value": t[1]}
    if len(t) > 3 and t[3]:
        d["xml:lang"] = t[3]
    elif len(t) > 2 and t[2] and t[2] != XSD_STRING:
        d["datatype"] = t[2]
    return d


def select_json(variables: Sequence[str], rows: Sequence[Row], truncated_at: int | None) -> bytes:
    doc: dict[str, object] = {
        "head": {"vars": list(variables)},
        "results": {
            "bindings": [
                {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
                for row in rows
            ]
        },
    }
    if truncated_at is not None:
        doc["head"] = {"vars": list(variables), "link": [TRUNCATION_LINK]}
        doc["truncated"] = {"rowCap": truncated_at, "message": truncation_note(truncated_at)}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _xml_term(t: Term) -> str:
    kind = t[0]
    if kind == "uri":
        return f"<uri>{escape(t[1])}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(t[1])}</bnode>"
    if len(t) > 3 and t[3]:
        return f"<literal xml:lang={quoteattr(t[3])}>{escape(t[1])}</literal>"
    if len(t) > 2 and t[2] and t[2] != XSD_STRING:
        return f"<literal datatype={quoteattr(t[2])}>{escape(t[1])}</literal>"
    return f"<literal>{escape(t[1])}</literal>"


def select_xml(variables: Sequence[str], rows: Sequence[Row], truncated_at: int | None) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n')
    out.write("<head>")
    for v in variables:
        out.write(f"<variable name={quoteattr(v)}/>")
    if truncated_at is not None:
        out.write(f'<link href="{TRUNCATION_LINK}"/>')
    out.write("</head>\n")
    if truncated_at is not None:
        out.write(f"<!-- {escape(truncation_note(truncated_at))} -->\n")
    out.write("<results>\n")
    for row in rows:
        out.write("<result>")
        for v, t in zip(variables, row, strict=True):
            if t is not None:
                out.write(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.write("</result>\n")
    out.write("</results>\n</sparql>\n")
    return out.getvalue().encode("utf-8")


def _csv_value(t: Term | None) -> str:
    if t is None:
        return ""
    if t[0] == "bnode":
        return "_:" + t[1]
    return t[1]


def select_csv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(variables)
    for row in rows:
        w.writerow([_csv_value(t) for t in row])
    return out.getvalue().encode("utf-8")


_TSV_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _tsv_value(t: Term | None) -> str:
    if t is None:
        return ""
    kind = t[0]
    if kind == "uri":
        return f"<{t[1]}>"
    if kind == "bnode":
        return "_:" + t[1]
    lex = "".join(_TSV_ESC.get(c, c) for c in t[1])
    if len(t) > 3 and t[3]:
        return f'"{lex}"@{t[3]}'
    dt = t[2] if len(t) > 2 else ""
    if dt and dt != XSD_STRING:
        return f'"{lex}"^^<{dt}>'
    return f'"{lex}"'


def select_tsv(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join(_tsv_value(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize_select(
    fmt: str, variables: Sequence[str], rows: Sequence[Row], truncated_at: int | None
) -> bytes:
    if fmt == "json":
        return select_json(variables, rows, truncated_at)
    if fmt == "xml":
        return select_xml(variables, rows, truncated_at)
    if fmt == "csv":
        return select_csv(variables, rows)
    if fmt == "tsv":
        return select_tsv(variables, rows)
    raise ValueError(f"unknown result format {fmt!r}")


def serialize_ask(fmt: str, value: bool) -> bytes:
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    if fmt in ("csv", "tsv"):
        return b"true\n" if value else b"false\n"
    return json.dumps({"head": {}, "boolean": value}).encode()


# --------------------------------------------------------------------------- negotiation


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    out: list[tuple[str, float, int]] = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((media, q, i))
    out.sort(key=lambda x: (-x[1], x[2]))
    return [(m, q) for m, q, _ in out if q > 0]


_ALIASES = {
    "application/json": "json",
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
}


def negotiate(accept: str | None, graph: bool, fmt: str | None = None) -> str | None:
    """Best result format for an Accept header (or an explicit `format`), None if none fits.

    `graph` selects the CONSTRUCT/DESCRIBE formats; otherwise SELECT/ASK formats.
    """
    table = GRAPH_FORMATS if graph else SELECT_FORMATS
    default = "turtle" if graph else "json"
    if fmt:
        f = fmt.lower()
        if f in table:
            return f
        alias = _ALIASES.get(f)
        if alias in table:
            return alias
        # a SELECT-style name asked of a graph result (or the reverse): the nearest kin
        kin = {"json": "jsonld", "jsonld": "json", "xml": "rdfxml", "rdfxml": "xml"}
        return kin.get(f) if kin.get(f) in table else None
    if not accept:
        return default
    for media, _q in _parse_accept(accept):
        if media in ("*/*", "application/*", "text/*"):
            return default
        name = _ALIASES.get(media)
        if name in table:
            return name
    return None
