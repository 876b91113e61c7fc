"""api.writes — who may write through /comments and /feedback, and how often.

A write needs `Authorization: Bearer <A2P_WRITE_TOKEN>` (the token that allows SPARQL
Update): 401 without it or with a wrong one, 403 when no token is configured or the store is
open read-only. Each client (by its address) may write `A2P_WRITE_RATE_PER_MINUTE` times a
minute with bursts of `A2P_WRITE_BURST` (a token bucket); over that the answer is 429 with
`Retry-After`. Refused attempts count too, so the token cannot be guessed at speed. Bodies
of these endpoints are limited to `A2P_MAX_WRITE_BODY_BYTES` (413, by api.middleware.BodyLimit).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SettingsDep
from api.services.sparql import check_token

WRITE_PATHS = ("/comments", "/feedback")

_bearer = HTTPBearer(auto_error=False, description="The write token (A2P_WRITE_TOKEN).")


class RateLimiter:
    """Token buckets per client key: `per_minute` writes a minute, bursts of `burst`.

    `per_minute=0` switches the limit off. At most `max_clients` buckets are kept (the least
    recently seen are dropped first; a dropped client starts again with a full bucket).
    """

    def __init__(self, per_minute: int, burst: int, max_clients: int = 10_000,
                 clock: object = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """0 when `key` may write now (and takes one token), else seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()  # type: ignore[operator]
        with self._lock:
            tokens, seen = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - seen) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


async def get_write_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.write_limiter
    return limiter


async def require_write(
    request: Request,
    settings: SettingsDep,
    limiter: Annotated[RateLimiter, Depends(get_write_limiter)],
    cred: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The checks of a write, in order: read-only (403), rate (429), token (403/401)."""
    if settings.read_only:
        raise HTTPException(403, "the server opened the store read-only")
    client = request.client.host if request.client else "unknown"
    wait = limiter.acquire(client)
    if wait > 0:
        raise HTTPException(
            429,
            f"too many writes from {client}: at most {settings.write_rate_per_minute} a minute "
            f"(bursts of {settings.write_burst}; A2P_WRITE_RATE_PER_MINUTE, A2P_WRITE_BURST)",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    token = settings.write_token.get_secret_value() if settings.write_token else ""
    if not token:
        raise HTTPException(403, "writes are disabled: no A2P_WRITE_TOKEN is configured")
    header = f"{cred.scheme} {cred.credentials}" if cred else None
    if not check_token(token, header):
        raise HTTPException(
            401,
            "a write needs `Authorization: Bearer <A2P_WRITE_TOKEN>`" if cred is None
            else "wrong write token",
            headers={"WWW-Authenticate": 'Bearer realm="assess2plan"'},
        )


WriteGuard = Depends(require_write)
