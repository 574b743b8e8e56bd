"""State overhead per apply step: one checkpoint ``save`` on SQLite and on PostgreSQL.

A checkpoint is what apply writes after every step: a realistic record (20 captured
variables, up to 15 completed steps) saved without a history event. The baseline is the
in-process ``MemoryStore`` doing the same saves (masking included) in the same run, the
stores taking turns; the figure that counts is the difference. Issue 10 aims at <= 0.2 ms per step on SQLite and <= 1 ms on PostgreSQL over
loopback. The durable saves (an intent written before a create or place request, flushed to
disk) are shown beside them; there are one or two of those per order, not one per step.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from _harness import Row

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


def _per_save_ms(stores: dict[str, StateStore], records: list[Record], repeat: int) -> dict[str, float]:
    """Median time of one ``save`` per store; the stores take turns, so a busy machine slows all alike."""
    samples: dict[str, list[float]] = {name: [] for name in stores}
    for round_ in range(repeat + 1):
        for name, store in stores.items():
            started = time.perf_counter()
            for record in records:
                store.save(record)
            if round_:  # the first round warms up
                samples[name].append((time.perf_counter() - started) / len(records) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


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
    intents = _checkpoints(intent=True)[:40]
    postgres = _postgres_url()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        stores: dict[str, StateStore] = {"memory": MemoryStore(redact=_redact)}
        stores["sqlite"] = stack.enter_context(open_store(None, root=Path(tmp), redact=_redact))
        if postgres is not None:
            url, drop = postgres
            stack.callback(drop)
            stores["postgresql"] = stack.enter_context(open_store(url, root=Path(tmp), redact=_redact))
        step = _per_save_ms(stores, checkpoints, repeat=15)
        durable = _per_save_ms({name: store for name, store in stores.items() if name != "memory"}, intents, repeat=5)
    memory = step["memory"]
    yield Row("state checkpoint: SQLite (WAL)", step["sqlite"], "ms", "MemoryStore", memory, note=_verdict(step["sqlite"] - memory, SQLITE_AIM_MS))
    yield Row("state intent, flushed: SQLite", durable["sqlite"], "ms", "MemoryStore", memory)
    if postgres is None:
        yield Row("state checkpoint: PostgreSQL", 0.0, "ms", note="no PostgreSQL server at 127.0.0.1:5432, skipped")
        return
    pg = step["postgresql"]
    yield Row("state checkpoint: PostgreSQL (loopback)", pg, "ms", "MemoryStore", memory, note=_verdict(pg - memory, POSTGRES_AIM_MS))
    yield Row("state intent, flushed: PostgreSQL", durable["postgresql"], "ms", "MemoryStore", memory)
