"""api.settings — service configuration from the environment (prefix A2P_), with defaults.

Every field can be set as an environment variable `A2P_<NAME>` (case-insensitive), e.g.
`A2P_STORE=oxigraph:var/graph`, `A2P_SPARQL_TIMEOUT=10`, `A2P_WRITE_TOKEN=...`.
The table in docs/api.md lists them all.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of the assess2plan service (env prefix `A2P_`)."""

    model_config = SettingsConfigDict(env_prefix="A2P_", extra="ignore")

    store: str = Field(
        "oxigraph:var/graph",
        description="Store URL: oxigraph:PATH, memory: or sparql:QUERY_URL[,UPDATE_URL].",
    )
    read_only: bool = Field(
        False,
        description="Open the store read-only: /feedback, /comments and SPARQL Update answer "
        "403. Set automatically for every worker when --workers > 1 with an oxigraph: store.",
    )
    write_token: SecretStr | None = Field(
        None,
        description="Bearer token that allows writes: SPARQL Update on /sparql, POST /comments "
        "and /feedback. Unset: every write is refused.",
    )

    # SPARQL endpoint limits
    sparql_timeout: float = Field(30.0, gt=0, description="Query time limit in seconds.")
    sparql_row_cap: int = Field(
        10_000, gt=0, description="Most result rows (or triples) returned by /sparql."
    )
    sparql_memory_mb: int = Field(
        2048,
        gt=0,
        description="Resident memory a SPARQL query process may use before it is killed.",
    )
    sparql_processes: int = Field(
        2, ge=1, description="Query processes of the SPARQL endpoint (oxigraph stores)."
    )
    sparql_max_query_chars: int = Field(
        100_000, gt=0, description="Longest SPARQL query or update text accepted."
    )
    sparql_max_nesting: int = Field(
        64, gt=0, description="Deepest nesting of {} and () accepted in a SPARQL query."
    )

    # request limits
    max_body_bytes: int = Field(
        2 * 1024 * 1024, gt=0, description="Largest request body accepted (413 above)."
    )
    max_write_body_bytes: int = Field(
        64 * 1024, gt=0, description="Largest body of POST /comments and /feedback (413 above)."
    )
    write_rate_per_minute: int = Field(
        30,
        ge=0,
        description="Writes (POST /comments, /feedback) one client address may make a minute; "
        "over that 429 with Retry-After. 0: no limit.",
    )
    write_burst: int = Field(
        10, ge=1, description="Writes one client may make at once before the rate applies."
    )
    max_text_chars: int = Field(
        200_000, gt=0, description="Longest narrative text field accepted (413 above)."
    )

    # search
    index_dir: str = Field(
        "var/index",
        description="Folder for what the service derives from the graph and reuses while the "
        "store is unchanged: the full-text index (SQLite FTS5), the embeddings and the review "
        "tables. ':memory:' keeps them in memory.",
    )
    semantic_search: bool = Field(
        True, description="Offer semantic search (needs the nlp package and its encoder)."
    )
    semantic_max_docs: int = Field(
        50_000,
        ge=0,
        description="Most narrative texts embedded for semantic search (the rest are text-only).",
    )

    # suggestions
    use_nlp: bool = Field(
        True, description="Use the nlp package for text suggestions when it can be imported."
    )
    coaffected_limit: int = Field(20, ge=1, description="Co-affected species returned by /suggest.")
    torch_threads: int = Field(
        1,
        ge=0,
        description="Threads of the sentence encoder (torch) and of numpy's BLAS in the server. One "
        "thread per batch keeps the encoder fast when other work shares the cores (measured 4-8x "
        "faster than two threads on a busy 2-core machine; two BLAS threads cost the nlp code "
        "mappers up to 9 ms of CPU for a 0.2 ms product); 0: the libraries' defaults (one per "
        "core). nlp's own encoder workers run one torch thread each whatever this says "
        "(nlp/configs/extract.cfg).",
    )
    suggest_batch: int = Field(
        1,
        ge=1,
        description="Most concurrent /suggest drafts run through the nlp pipeline and the bucket "
        "model together (1: one by one, the fastest since nlp batches its encoder by token count "
        "itself: 16 clients, p95 715 against 1124 ms with 32 on the busy 2-core machine).",
    )

    suggest_workers: int = Field(
        3,
        ge=1,
        description="/suggest drafts run through the nlp pipeline at the same time (each its "
        "own batch of A2P_SUGGEST_BATCH drafts; 1: one after the other). With extraction "
        "processes, one more than A2P_NLP_PROCESSES keeps a draft queued for the next free "
        "worker (172k, 16 clients: p95 462-492 ms with 3 against 491-525 with 2).",
    )

    nlp_processes: int = Field(
        2,
        ge=0,
        description="Worker processes that run /suggest's nlp extraction, each with its own GIL "
        "(0: in the server process, by A2P_SUGGEST_WORKERS threads). The extraction's Python "
        "work (spaCy, patterns, code mappers) holds the GIL, so in one process two drafts share "
        "one core for it. Each process loads the pipeline and the encoder (about 0.4 GB).",
    )

    sheet_cache_entries: int = Field(
        4096, ge=0, description="Species/assessment datasheets kept ready to send (0: none)."
    )
    sheet_store: bool = Field(
        True,
        description="Precompute every species' JSON datasheet per store generation into "
        "A2P_INDEX_DIR (oxigraph: stores; built in the background, sheets are built per request "
        "until it is ready).",
    )
    warm_up: bool = Field(
        True,
        description="Build the search index, the review table and the nlp pipeline in the "
        "background at start-up (otherwise on first use).",
    )
    cache_seconds: float = Field(
        300.0,
        ge=0,
        description="How long whole-graph tables (review table, stats) are reused when the "
        "store is remote (local stores refresh on every write instead).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings read from the environment (once per process)."""
    return Settings()
