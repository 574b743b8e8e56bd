"""Turning records into stored values and back, with secrets masked on the way in.

Masking works on each string (and number) inside the captured variables, remote ids and
history details, not on JSON text where escaping may have changed a secret's spelling.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from orderspec.state._record import Phase, Record

Redact = Callable[[str], str]
"""A secret masker: returns its argument with every secret value replaced (e.g. by ``***``)."""


def scrub(value: Any, redact: Redact) -> Any:
    """``value`` (JSON-like) with ``redact`` applied to every string, key and number in it."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        text = str(value)
        masked = redact(text)
        return value if masked == text else masked
    if isinstance(value, Mapping):
        return {redact(str(key)): scrub(item, redact) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item, redact) for item in value]
    raise TypeError(f"a state value must be JSON data, not {type(value).__name__}")


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"a state value must be JSON data, not {type(value).__name__}")


_ESCAPE = re.compile(r'\\(["\\/bfnrt]|u[0-9a-fA-F]{4})')


def _unescaped(text: str) -> str:
    """``text`` with its JSON escapes decoded: every string inside then appears verbatim."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda match: str(json.loads(f'"\\{match.group(1)}"')), text)


def dump(value: Mapping[str, Any] | tuple[str, ...], redact: Redact | None) -> str:
    """JSON text of ``value``, masked by ``redact`` when given.

    Most checkpoints hold no secret, so ``redact`` first looks at the whole text with its
    escapes decoded, where every key and string appears as it is: when it finds nothing
    there, no string inside holds a secret. Otherwise each string is masked, then serialized.
    """
    text = json.dumps(dict(value) if isinstance(value, Mapping) else value, ensure_ascii=False, separators=(",", ":"), default=_plain)
    if redact is None:
        return text
    plain = _unescaped(text)
    if redact(plain) == plain:
        return text
    return json.dumps(scrub(value, redact), ensure_ascii=False, separators=(",", ":"), default=_plain)


def record_params(record: Record, redact: Redact | None) -> dict[str, Any]:
    """The record's columns as values a database driver accepts (JSON columns as text)."""
    return {
        "name": record.name,
        "profile": record.profile,
        "system": record.system,
        "digest": record.digest,
        "phase": record.phase.value,
        "order_number": record.order_number,
        "remote_ids": dump(record.remote_ids, redact),
        "vars": dump(record.vars, redact),
        "done": json.dumps(list(record.done), ensure_ascii=False),
        "intent": record.intent,
        "spec": record.spec,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


def mask_detail(detail: str, redact: Redact | None) -> str:
    return redact(detail) if redact is not None else detail


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def record_from(row: Sequence[Any]) -> Record:
    """A record from its stored columns, in the order both backends select them.

    JSON columns may be text (SQLite) or already parsed (PostgreSQL); times may be ISO
    text (SQLite) or datetimes (PostgreSQL).
    """
    name, profile, system, digest, phase, order_number, remote_ids, variables, done, intent, spec, created_at, updated_at = row
    return Record(
        name=name,
        profile=profile,
        system=system,
        digest=digest,
        phase=Phase(phase),
        order_number=order_number,
        remote_ids=_loaded(remote_ids),
        vars=_loaded(variables),
        done=tuple(_loaded(done)),
        intent=intent,
        spec=spec,
        created_at=_time(created_at),
        updated_at=_time(updated_at),
    )


def _time(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
