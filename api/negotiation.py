"""api.negotiation — choose a representation from `?format=` or the Accept header."""

from __future__ import annotations

from fastapi import HTTPException, Request

MEDIA = {
    "html": "text/html",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "turtle": "text/turtle",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
}
ALIASES = {
    "ttl": "turtle",
    "json-ld": "jsonld",
    "excel": "xlsx",
    "htm": "html",
}
_BY_MEDIA = {v: k for k, v in MEDIA.items()} | {
    "application/xhtml+xml": "html",
    "application/x-turtle": "turtle",
    "text/json": "json",
    "application/csv": "csv",
}


def choose(request: Request, offered: list[str], default: str, fmt: str | None = None) -> str:
    """One of `offered` (short names, see MEDIA); 406 when nothing acceptable is offered."""
    if fmt:
        name = ALIASES.get(fmt.lower(), fmt.lower())
        if name in offered:
            return name
        raise HTTPException(
            status_code=406,
            detail=f"format {fmt!r} is not offered here; choose one of {', '.join(offered)}",
        )
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return default
    best: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            cand = default if media == "*/*" else next(
                (o for o in [default, *offered] if MEDIA[o].startswith(media[:-1])), None
            )
        else:
            cand = _BY_MEDIA.get(media)
        if cand in offered:
            # a specific type beats a wildcard at the same quality
            best.append((q - (0.0001 if "*" in media else 0), -i, cand))
    if not best:
        raise HTTPException(
            status_code=406,
            detail="none of the accepted media types is offered here; offered: "
            + ", ".join(MEDIA[o] for o in offered),
        )
    return max(best)[2]
