"""What one sandbox instance remembers: baskets, lines, uploaded files, quotes and orders.

Everything lives in plain dicts touched only from uvicorn's single event loop. A file's
analysis is not a background task: it is "analysing" for the first
``config.analysis_polls`` status reads (and ``config.analysis_seconds`` after the
upload), then finished. Ids and timestamps come from counters, so the same requests
get byte-identical answers: recorded sessions re-record the same.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox.threeyourmind._catalogue import Catalogue

ANALYSING = "analysing"
FINISHED = "finished"


EPOCH = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
"""The sandbox's clock starts here and moves one second per object created."""


@dataclass
class StoredFile:
    uuid: str
    name: str
    size: int
    sha256: str
    unit: str
    content_type: str
    uploaded_at: float
    created_at: str
    basket_id: int | None = None
    line_id: int | None = None
    status_reads: int = 0
    """Status reads answered "analysing" so far (see ``config.analysis_polls``)."""


@dataclass
class Line:
    id: int
    basket_id: int
    created_at: str
    quantity: int = 1
    offer_id: int | None = None
    unit_print_price: Decimal | None = None
    post_processings: list[tuple[int, int | None]] = field(default_factory=list)
    file_uuid: str | None = None
    preferred_due_date: str | None = None
    part_requirements: dict[str, Any] | None = None


@dataclass
class Basket:
    id: int
    created_at: str
    panel: str
    title: str = ""
    customer_id: int | None = None
    lines: dict[int, Line] = field(default_factory=dict)
    order_id: int | None = None


class State:
    """The mutable part of a sandbox; ``reset()`` brings it back to an empty service."""

    def __init__(self, catalogue: Catalogue, config: SandboxConfig, max_upload_bytes: int) -> None:
        self.catalogue = catalogue
        self.config = config
        self.max_upload_bytes = max_upload_bytes
        self.requests: Counter[str] = Counter()
        self.unexpected_errors = 0
        self.reset()

    def reset(self) -> None:
        self.baskets: dict[int, Basket] = {}
        self.files: dict[str, StoredFile] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.my_addresses: list[dict[str, Any]] = [dict(a) for a in self.catalogue.me.addresses]
        self.preferences: dict[str, Any] = dict(self.catalogue.preferences)
        self.requests_for_quote: dict[int, dict[str, Any]] = {}
        self.quotes: dict[int, Any] = {}
        self.requests.clear()
        self._basket_ids = itertools.count(1001)
        self._line_ids = itertools.count(5001)
        self._order_ids = itertools.count(9001)
        self._address_ids = itertools.count(
            1 + max([a["id"] for a in self.my_addresses] + [a["id"] for u in self.catalogue.users.values() for a in u.addresses] + [0])
        )
        self._file_numbers = itertools.count(1)
        self._rfq_ids = itertools.count(701)
        self._quote_ids = itertools.count(801)
        self._ticks = itertools.count(0)

    # creation -----------------------------------------------------------------------

    def now(self) -> str:
        """A timestamp from the sandbox's own clock (a counter, not the wall clock)."""
        moment = EPOCH + timedelta(seconds=next(self._ticks))
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def new_basket(self, panel: str) -> Basket:
        basket = Basket(id=next(self._basket_ids), created_at=self.now(), panel=panel)
        self.baskets[basket.id] = basket
        return basket

    def new_line(self, basket: Basket) -> Line:
        line = Line(id=next(self._line_ids), basket_id=basket.id, created_at=self.now())
        basket.lines[line.id] = line
        return line

    def new_order_id(self) -> int:
        return next(self._order_ids)

    def new_rfq_id(self) -> int:
        return next(self._rfq_ids)

    def new_quote_id(self) -> int:
        return next(self._quote_ids)

    def new_address_id(self) -> int:
        return int(next(self._address_ids))

    def new_file_uuid(self) -> str:
        # deterministic per instance, shaped like a UUID so clients that store it as one keep working
        return f"00000000-3d00-4000-8000-{next(self._file_numbers):012d}"

    # reading ------------------------------------------------------------------------

    def file_status(self, stored: StoredFile, *, read: bool = False) -> str:
        """The analysis status; ``read`` marks a status request, which counts towards ``analysis_polls``."""
        waiting = stored.status_reads < self.config.analysis_polls
        if waiting or time.monotonic() - stored.uploaded_at < self.config.analysis_seconds:
            if read and waiting:
                stored.status_reads += 1
            return ANALYSING
        return self.config.analysis_failure or FINISHED

    def line_file(self, line: Line) -> StoredFile | None:
        return self.files.get(line.file_uuid) if line.file_uuid else None
