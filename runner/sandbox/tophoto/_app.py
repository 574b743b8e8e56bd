"""The to.photo order API (v1) as a Starlette app, plus the sandbox's inspection endpoints."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orderspec.sandbox import _forms
from orderspec.sandbox._body import BodyTooLarge, read_limited
from orderspec.sandbox._config import SandboxConfig, SandboxConfigError
from orderspec.sandbox._documented import withheld_fields, without
from orderspec.sandbox.tophoto._auth import Account, Authenticator, accounts_from, require_access
from orderspec.sandbox.tophoto._catalogue import load_catalogue
from orderspec.sandbox.tophoto._clock import clock_from
from orderspec.sandbox.tophoto._documented import documented_fields
from orderspec.sandbox.tophoto._errors import ApiError, error_body, error_response
from orderspec.sandbox.tophoto._model import read_new_order, read_status, read_status_entry
from orderspec.sandbox.tophoto._orders import Order, OrderBook
from orderspec.sandbox.tophoto._zip import inspect_zip

Handler = Callable[[Request], Awaitable[Response]]

_log = logging.getLogger("orderspec.sandbox.tophoto")

DEFAULT_MAX_JSON_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ZIP_BYTES = 1024 * 1024 * 1024
# /data needs one part; like Tomcat's maxPartCount (10), few more are taken, and text parts up to 1 MiB
MAX_PARTS = 10
MAX_FIELD_BYTES = 1024 * 1024
_JSON_ACCEPT = frozenset({"application/json", "application/*", "*/*"})
_DATA_ACCEPT = _JSON_ACCEPT | {"application/zip"}  # the seed's "Accept: application/zip" is doc noise; tolerate it


def create_app(config: SandboxConfig) -> Starlette:
    """A fresh to.photo sandbox: its own catalogue, accounts and orders."""
    api = _Api(config)
    routes = [
        Route("/v1/orders", api.counted("POST /v1/orders", api.create_order), methods=["POST"]),
        Route("/v1/orders/{orderId}", api.counted("GET /v1/orders/{orderId}", api.read_order), methods=["GET"]),
        Route("/v1/orders/{orderId}", api.counted("DELETE /v1/orders/{orderId}", api.cancel_order), methods=["DELETE"]),
        Route("/v1/orders/{orderId}/checkout", api.counted("POST /v1/orders/{orderId}/checkout", api.checkout), methods=["POST"]),
        Route("/v1/orders/{orderId}/data", api.counted("POST /v1/orders/{orderId}/data", api.data), methods=["POST"]),
        Route("/v1/orders/{orderId}/status", api.counted("PUT /v1/orders/{orderId}/status", api.acknowledge), methods=["PUT"]),
        Route(
            "/v1/portals/{portalId}/orders/unacknowledged",
            api.counted("GET /v1/portals/{portalId}/orders/unacknowledged", api.unacknowledged),
            methods=["GET"],
        ),
        Route(
            "/v1/portals/{portalId}/orders/status/{status}/unacknowledged",
            api.counted("GET /v1/portals/{portalId}/orders/status/{status}/unacknowledged", api.unacknowledged),
            methods=["GET"],
        ),
        Route("/_sandbox/orders", api.inspect_orders, methods=["GET"]),
        Route("/_sandbox/orders/{orderId}/advance", api.advance, methods=["POST"]),
        Route("/_sandbox/reset", api.reset, methods=["POST"]),
        Route("/_sandbox/requests", api.requests, methods=["GET"]),
        Route("/_sandbox/catalogue", api.catalogue_json, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, ClientDisconnect: _client_gone, Exception: api.unexpected},
    )
    app.state.fault_error_body = lambda status, message: error_body(status, message, clock=api.clock)
    app.state.clock = api.clock
    app.state.book = api.book
    app.state.unexpected_errors = 0
    api.app = app
    return app


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc, request.app.state.clock)


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up mid-body (killed): nobody reads an answer, and it is no sandbox bug."""
    return Response(status_code=499)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error = ApiError(404, f"No handler found for {request.method} {request.url.path}")
    elif exc.status_code == 405:
        error = ApiError(405, f"Request method '{request.method}' not supported", headers=exc.headers)
    else:
        error = ApiError(exc.status_code, exc.detail, headers=exc.headers)
    return error_response(error, request.app.state.clock)


class _Api:
    """The endpoints; state lives in ``book`` (orders) and ``counts`` (requests per endpoint)."""

    def __init__(self, config: SandboxConfig) -> None:
        options = config.options
        self.catalogue = load_catalogue(config.catalogue)
        self.clock = clock_from(options)
        self.book = OrderBook(self.catalogue, self.clock)
        extra = options.get("accounts") or ()
        if not isinstance(extra, (list, tuple)):
            raise SandboxConfigError("options.accounts of the to.photo sandbox must be a list of accounts")
        self.auth = Authenticator(accounts_from(config.credentials, extra))
        self.max_json_bytes = _limit(options, "max_json_bytes", DEFAULT_MAX_JSON_BYTES)
        max_zip_bytes = _limit(options, "max_zip_bytes", DEFAULT_MAX_ZIP_BYTES)
        self.zip_limits = _forms.FormLimits(max_body=max_zip_bytes, max_files=MAX_PARTS, max_fields=MAX_PARTS, max_part_size=MAX_FIELD_BYTES)
        self.counts: Counter[str] = Counter()
        self.app: Starlette | None = None
        self.documented = documented_fields() if config.documented_only else None
        self.withheld = withheld_fields(options, "to.photo")

    def counted(self, key: str, handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            self.counts[key] += 1
            return await handler(request)

        return endpoint

    async def unexpected(self, request: Request, exc: Exception) -> Response:
        """Last resort: the vendor's 500 body; counted so tests can tell it was never reached."""
        if self.app is not None:
            self.app.state.unexpected_errors += 1
        _log.error("unexpected error in the to.photo sandbox: %r", exc)
        return JSONResponse(error_body(500, "Internal Server Error", type(exc).__name__, clock=self.clock), 500)

    def _reply(self, operation: str, body: Any) -> JSONResponse:
        """A successful answer: in ``documented_only`` mode only what the documents show, less any withheld field."""
        if self.documented is not None:
            body = self.documented.prune(operation, body)
        if operation in self.withheld:
            body = without(body, self.withheld[operation])
        return JSONResponse(body)

    # -- request helpers ------------------------------------------------------------------

    def _account(self, request: Request, accept: frozenset[str] = _JSON_ACCEPT) -> Account:
        account = self.auth.account(request.headers.get("authorization"))
        _check_accept(request.headers.get("accept"), accept)
        return account

    def _order(self, request: Request, account: Account) -> Order:
        order = self.book.find(_long(request.path_params["orderId"], "orderId"))
        require_access(account, order.doc["mandator"], order.doc["portal"])
        return order

    async def _json(self, request: Request) -> Any:
        content_type = request.headers.get("content-type", "")
        media_type = content_type.partition(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise ApiError(
                415,
                f"Content type '{content_type}' not supported; send application/json",
                f"Content type '{content_type}' not supported",
            )
        try:
            raw = await read_limited(request, self.max_json_bytes)
        except BodyTooLarge as exc:
            raise ApiError(413, f"The request body exceeds the limit of {exc.limit} bytes") from None
        if not raw.strip():
            raise ApiError(400, "Required request body is missing")
        try:
            return json.loads(raw, parse_constant=_no_constants)
        except (ValueError, RecursionError) as exc:
            raise ApiError(400, "Malformed JSON request", f"JSON parse error: {exc}") from None

    # -- the to.photo API -----------------------------------------------------------------

    async def create_order(self, request: Request) -> Response:
        account = self._account(request)
        new_order = read_new_order(await self._json(request))
        require_access(account, new_order["mandator"], new_order["portal"])
        return self._reply("POST /v1/orders", self.book.create(new_order).doc)

    async def read_order(self, request: Request) -> Response:
        account = self._account(request)
        order = self._order(request, account)
        return self._reply("GET /v1/orders/{orderId}", self.book.read(order.order_id).doc)

    async def cancel_order(self, request: Request) -> Response:
        account = self._account(request)
        self.book.cancel(self._order(request, account))
        return Response(status_code=204)

    async def checkout(self, request: Request) -> Response:
        account = self._account(request)
        order = self._order(request, account)
        self.book.check_accepts_checkout(order)  # before reading the body: the conflict does not depend on it
        return self._reply("POST /v1/orders/{orderId}/checkout", self.book.checkout(order, await self._json(request)).doc)

    async def data(self, request: Request) -> Response:
        account = self._account(request, _DATA_ACCEPT)
        order = self._order(request, account)
        self.book.check_accepts_data(order)
        if not _forms.media_type(request).startswith("multipart/"):
            content_type = request.headers.get("content-type", "")
            raise ApiError(400, "Current request is not a multipart request", f"Content-Type was {content_type or 'missing'!r}")
        try:
            async with _forms.open_form(request, self.zip_limits) as form:
                upload = _forms.first_file(form, "file")
                if upload is None:
                    raise ApiError(400, "Required request part 'file' is not present")
                entries = await run_in_threadpool(inspect_zip, upload.file)
                size = upload.size or 0
        except BodyTooLarge as exc:
            raise ApiError(413, f"The upload exceeds the limit of {exc.limit} bytes") from None
        except _forms.MalformedForm as exc:
            raise ApiError(400, f"Malformed multipart request: {exc}") from None
        return self._reply("POST /v1/orders/{orderId}/data", self.book.finalize(order, entries, size).doc)

    async def acknowledge(self, request: Request) -> Response:
        account = self._account(request)
        order = self._order(request, account)
        entry = read_status_entry(await self._json(request))
        return self._reply("PUT /v1/orders/{orderId}/status", self.book.acknowledge(order, entry))

    async def unacknowledged(self, request: Request) -> Response:
        account = self._account(request)
        portal = _long(request.path_params["portalId"], "portalId")
        if account.portal != portal:
            raise ApiError(403, "Access is denied", f"These credentials are for portal {account.portal}, not {portal}")
        status = request.path_params.get("status")
        if status is not None:
            status = read_status(status, "status")
        orders = [o.doc for o in self.book.unacknowledged(portal, status) if o.doc["mandator"] == account.mandator]
        if status is None:
            return self._reply("GET /v1/portals/{portalId}/orders/unacknowledged", orders)
        return self._reply("GET /v1/portals/{portalId}/orders/status/{status}/unacknowledged", orders)

    # -- inspection -----------------------------------------------------------------------

    async def inspect_orders(self, request: Request) -> Response:
        wanted = request.query_params.get("status")
        views = [_view(order, self.catalogue.skus) for order in self.book.orders() if wanted in (None, order.status)]
        return JSONResponse(views)

    async def advance(self, request: Request) -> Response:
        order = self.book.find(_long(request.path_params["orderId"], "orderId"))
        status = request.query_params.get("status")
        metadata = None
        if status is None:
            body = await self._json(request)
            if not isinstance(body, dict):
                raise ApiError(400, 'Send {"status": "Produced", "metadata": {...}} or ?status=Produced')
            status = body.get("status")
            metadata = body.get("metadata")
            if metadata is not None and not isinstance(metadata, dict):
                raise ApiError(400, "Validation error: metadata must be a JSON object")
        return JSONResponse(self.book.advance(order, read_status(status, "status"), metadata).doc)

    async def reset(self, request: Request) -> Response:
        self.book.reset()
        self.counts.clear()
        return Response(status_code=204)

    async def requests(self, request: Request) -> Response:
        return JSONResponse(dict(self.counts))

    async def catalogue_json(self, request: Request) -> Response:
        return JSONResponse(self.catalogue.as_json())


def _limit(options: dict[str, object], name: str, default: int) -> int:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SandboxConfigError(f"options.{name} of the to.photo sandbox must be a positive number of bytes, not {value!r}")
    return value


def _check_accept(accept: str | None, allowed: frozenset[str]) -> None:
    """406 unless ``Accept`` admits JSON (a missing header admits anything)."""
    if accept is None or accept in allowed:
        return
    for media_range in accept.split(","):
        media_type = media_range.partition(";")[0].strip().lower()
        if media_type in allowed or media_type.endswith("+json") or not media_type:
            return
    raise ApiError(406, "Could not find acceptable representation", f"Accept '{accept}' does not admit application/json")


def _long(raw: str, name: str) -> int:
    """A ``long`` path parameter; 400 as Spring's type mismatch when it is not one."""
    text = raw.strip()
    if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 19:
        return int(text)
    raise ApiError(
        400,
        f"{name} must be a whole number, not '{raw}'",
        f"Failed to convert value of type 'java.lang.String' to required type 'long'; For input string: \"{raw}\"",
    )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _view(order: Order, skus: dict[str, Any]) -> dict[str, Any]:
    """The order as ``/_sandbox/orders`` lists it: the vendor's shape plus readable names and the ZIP's content."""
    doc = order.doc
    subcarts = []
    items = []
    for subcart, site in zip(doc["cart"]["subcarts"], order.sites):
        sub_items = []
        for item in subcart["items"]:
            name = skus[item["sku"]].name if item["sku"] in skus else None
            sub_items.append({**item, "productName": name})
            items.append(
                {"sku": item["sku"], "productName": name, "count": item["count"], "project": item["project"], "producer": subcart["producer"]}
            )
        subcarts.append({**subcart, "site": site, "items": sub_items})
    return {
        **doc,
        "cart": {"subcarts": subcarts},
        "items": items,
        "payloadNames": [p["name"] for p in doc["payload"]],
        "zipEntries": [{"name": e.name, "size": e.size} for e in order.zip_entries],
        "zipSize": order.zip_size,
    }
