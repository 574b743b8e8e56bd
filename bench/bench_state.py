"""State overhead per apply step: one checkpoint ``save`` on SQLite and on PostgreSQL.

A checkpoint is what apply writes after every step: a realistic record (20 captured
variables, up to 15 completed steps) saved without a history event. The baseline is the
in-process ``MemoryStore`` doing the same saves in the same run; the figure that counts is
the difference. Issue 10 aims at <= 0.2 ms per step on SQLite and <= 1 ms on PostgreSQL over
loopback. The durable saves (an intent written before a create or place request, flushed to
disk) are shown beside them; there are one or two of those per order, not one per step.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from _harness import Row, median_seconds

from orderspec.state import MemoryStore, Phase, Record, StateStore, open_store

PG_DATABASE = "postgresql://postgres@127.0.0.1:5432/test"
SQLITE_AIM_MS = 0.2
POSTGRES_AIM_MS = 1.0
STEPS = 200
SECRETS = ("sandbox-secret", "sandbox-token")


def _redact(text: str) -> str:
    for secret in SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def _checkpoints(intent: bool = False) -> list[Record]:
    """``STEPS`` successive checkpoints of one spec, as apply would save them."""
    steps = ["login", "catalogue", "materials", *(f"upload[{index}]" for index in range(4)), "poll[0]", "poll[1]", "basket", "lines[0]"]
    steps += ["lines[1]", "address", "shipping", "quote"]
    base = Record(
        "bracket-v2",
        "ctq-production",
        system="ctq",
        digest="9f2c41d7" * 8,
        phase=Phase.IN_PROGRESS,
        spec="specs/brackets/bracket-v2.yaml",
        remote_ids={"draft": "D-120394", "basket": "B-88231"},
    )
    records = []
    for index in range(STEPS):
        done = tuple(steps[: index % len(steps) + 1])
        variables: dict[str, object] = {f"var_{number}": f"value {number} of step {index}: PA12 White, 0.1 mm, qty 3" for number in range(14)}
        variables.update(
            upload_ids=[f"U-{number}" for number in range(4)],
            prices={"net": 120.5 + index, "vat": 22.9, "currency": "EUR"},
            material_id=4711,
            analysed=True,
            etag=f'W/"{index:08x}"',
            note=None,
        )
        records.append(base.evolve(done=done, vars=variables, intent=f"place#{index}" if intent else None))
    return records


def _per_save_ms(store: StateStore, records: list[Record]) -> float:
    def run() -> None:
        for record in records:
            store.save(record)

    return median_seconds(run, repeat=7, warmup=1) / len(records) * 1000


def _verdict(overhead: float, aim: float) -> str:
    return f"{overhead:.3f} ms per step over memory; {'meets' if overhead <= aim else 'misses'} the aim of <= {aim:g} ms"


def _postgres_url() -> tuple[str, Callable[[], None]] | None:
    try:
        import psycopg
    except ImportError:
        return None
    schema = f"bench_state_{os.getpid()}"
    try:
        psycopg.connect(PG_DATABASE, connect_timeout=3).close()
    except psycopg.OperationalError:
        return None

    def drop() -> None:
        with psycopg.connect(PG_DATABASE, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return f"{PG_DATABASE}?schema={schema}", drop


def rows() -> Iterable[Row]:
    checkpoints = _checkpoints()
    intents = _checkpoints(intent=True)
    memory = _per_save_ms(MemoryStore(redact=_redact), checkpoints)
    with tempfile.TemporaryDirectory() as tmp, open_store(None, root=Path(tmp), redact=_redact) as store:
        sqlite = _per_save_ms(store, checkpoints)
        sqlite_durable = _per_save_ms(store, intents)
    yield Row("state checkpoint: SQLite (WAL)", sqlite, "ms", "MemoryStore", memory, note=_verdict(sqlite - memory, SQLITE_AIM_MS))
    yield Row("state intent, flushed: SQLite", sqlite_durable, "ms", "MemoryStore", memory)

    postgres = _postgres_url()
    if postgres is None:
        yield Row("state checkpoint: PostgreSQL", 0.0, "ms", note="no PostgreSQL server at 127.0.0.1:5432, skipped")
        return
    url, drop = postgres
    try:
        with open_store(url, root=Path("."), redact=_redact) as store:
            pg = _per_save_ms(store, checkpoints)
            pg_durable = _per_save_ms(store, intents)
    finally:
        drop()
    yield Row("state checkpoint: PostgreSQL (loopback)", pg, "ms", "MemoryStore", memory, note=_verdict(pg - memory, POSTGRES_AIM_MS))
    yield Row("state intent, flushed: PostgreSQL", pg_durable, "ms", "MemoryStore", memory)
