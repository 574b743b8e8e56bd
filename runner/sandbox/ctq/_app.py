"""Routes and handlers of the CTQ sandbox (see the package docstring for the inferences)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from orderspec.sandbox._body import BodyTooLarge, read_limited
from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox._documented import withheld_fields, without
from orderspec.sandbox.ctq import _storage
from orderspec.sandbox.ctq._api import api_for
from orderspec.sandbox.ctq._catalogue import Catalogue, load_catalogue
from orderspec.sandbox.ctq._documented import contract_of, documented_fields
from orderspec.sandbox.ctq._geometry import Geometry, measure
from orderspec.sandbox.ctq._ids import Clock, Ids, clock_start, seed_of
from orderspec.sandbox.ctq._orders import Item, Order, Pricing
from orderspec.sandbox.ctq._swagger import MISSING, Operation
from orderspec.sandbox.ctq._views import THUMBNAIL_PNG, Views

logger = logging.getLogger("orderspec.sandbox.ctq")

DEFAULT_ORGANIZATION = "sandbox-org"
MAX_JSON_BYTES = 1024 * 1024
MAX_FILES_PER_REQUEST = 100

Answer = tuple[int, Any]
Handler = Callable[[Request, Any], Awaitable[Answer]]


class _Failure(Exception):
    """Ends a handler with an answer: ``raise _Failure(404, {...})``."""

    def __init__(self, status: int, body: Any) -> None:
        self.status, self.body = status, body


def _not_found() -> _Failure:
    return _Failure(404, {"error": "Order with the specified ID not found"})


def _invalid(*fields: tuple[str, str]) -> _Failure:
    return _Failure(422, {"errors": [{name: message} for name, message in fields]})


class CtqSandbox:
    """State of one sandbox instance and the handlers working on it."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        options = config.options
        self.api = api_for(options)
        self.catalogue: Catalogue = load_catalogue(config.catalogue)
        self.pricing = Pricing(self.catalogue)
        self.contract = contract_of(self.api.name)
        self.documented = documented_fields(self.api.name)
        self.withheld = withheld_fields(options, "CTQ")
        self.auth_header = str(options.get("auth_header", self.api.auth_header)).lower()
        self.organization = config.credentials.get("organization_id", DEFAULT_ORGANIZATION)
        self.upload_seconds = float(options.get("signed_url_seconds", 3600))  # type: ignore[arg-type]
        self.download_seconds = float(options.get("download_url_seconds", 5 * 24 * 3600))  # type: ignore[arg-type]
        self.seed = seed_of(options)
        self.clock_start = clock_start(options)
        self.signer = _storage.Signer(self.seed)
        self.views = Views(self.api, self.catalogue, self.pricing, self.signer, self.download_seconds)
        self.reset()

    def reset(self) -> None:
        self.ids = Ids(self.seed)
        self.clock = Clock(self.clock_start)
        self.orders: dict[str, Order] = {}
        self.objects: dict[str, bytes] = {}
        self.requests: Counter[str] = Counter()
        self.violations: list[dict[str, Any]] = []
        self.unexpected: list[str] = []
        self.next_number = 10001
        self.info_changes = 1 if self.config.options.get("info_changed_once") else 0
        target = self.config.options.get("info_changed_once")
        self.info_changed_on = {"patch", "place-order"} if target is True else {str(target).lower()}

    # -- plumbing -----------------------------------------------------------------------

    def endpoint(self, method: str, template: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        operation = self.contract.operation(method, template)
        key = f"{method} {template}"

        async def run(request: Request) -> Response:
            self.requests[key] += 1
            try:
                problems = self._header_problems(request)
                if problems:
                    raise _invalid(*problems)
                body = await self._json_body(request) if operation.body is not None else MISSING
                found = self.contract.request_problems(operation, dict(request.query_params), body)
                if found:
                    raise _invalid(*((problem.field, "Invalid value") for problem in found))
                status, payload = await handler(request, body)
            except _Failure as failure:
                status, payload = failure.status, failure.body
            except ClientDisconnect:  # the client hung up mid-body (killed): nobody reads an answer, and no sandbox bug
                return Response(status_code=499)
            except Exception as exc:  # a sandbox bug: answer in the vendor's shape, remember it
                logger.exception("CTQ sandbox failed on %s %s", method, request.url.path)
                self.unexpected.append(f"{method} {request.url.path}: {type(exc).__name__}: {exc}")
                status, payload = 500, {"error": "Internal server error"}
            return self._respond(operation, status, payload)

        return run

    def _header_problems(self, request: Request) -> list[tuple[str, str]]:
        problems = []
        organization = request.headers.get(self.auth_header)
        if not organization:
            message = "Header parameter API Key isn't specified" if self.auth_header == "x-api-key" else "Parameter is missing"
            problems.append((self.auth_header, message))
        elif organization != self.organization:
            problems.append((self.auth_header, "Organization with the specified ID not found"))
        language = request.headers.get("language")
        if not language:
            problems.append(("language", "Parameter is missing"))
        elif language not in self.catalogue.languages:
            problems.append(("language", "Language isn't supported"))
        return problems

    async def _json_body(self, request: Request) -> Any:
        try:
            raw = await read_limited(request, MAX_JSON_BYTES)
        except BodyTooLarge:
            raise _invalid(("body", "Request body is too large")) from None
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not raw.strip() or not (content_type == "application/json" or content_type.endswith("+json")):
            return MISSING  # body-parser leaves a non-JSON body unread, so the body is missing
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise _invalid(("body", "Invalid value")) from None

    def _respond(self, operation: Operation, status: int, payload: Any) -> Response:
        if status == 200 and self.config.documented_only:
            payload = self.documented.prune(operation.key, payload)
        if self.config.strict:
            problems = self.contract.response_problems(operation, status, payload)
            if problems:
                details = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
                violation = {"operation": f"{operation.method} {operation.path}", "status": status, "problems": details}
                self.violations.append(violation)
                logger.error("CTQ sandbox answer breaks the Swagger: %s", violation)
                status, payload = (
                    500,
                    {"error": f"sandbox answer to {operation.method} {operation.path} breaks the CTQ Swagger: {details}"},
                )
        if status == 200 and operation.key in self.withheld:
            # after the check: leaving out a documented field on purpose is what a test asked for
            payload = without(payload, self.withheld[operation.key])
        return JSONResponse(payload, status_code=status)

    def _order(self, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise _not_found()
        return order

    @staticmethod
    def _require_active(order: Order) -> None:
        if order.status != "active":
            raise _invalid(("order_id", "Order isn't active"))

    def _info_changed(self, operation: str) -> None:
        if self.info_changes > 0 and operation in self.info_changed_on:
            self.info_changes -= 1
            raise _Failure(500, {"error": "Info has been changed"})

    # -- operations -----------------------------------------------------------------------

    async def get_signed_urls(self, request: Request, body: Any) -> Answer:
        names: list[str] = body
        for index, name in enumerate(names):
            if not name.strip() or "/" in name or "\\" in name:
                raise _invalid((f"body[{index}]", "Invalid value"))
            if not name.lower().endswith(".stl"):
                raise _invalid((f"body[{index}]", "Only STL objects are supported for now"))
        if len(names) > MAX_FILES_PER_REQUEST:
            raise _invalid(("body", f"At most {MAX_FILES_PER_REQUEST} files per request"))
        order_id = request.query_params.get("order_id")
        if order_id is not None:
            if not order_id:
                raise _invalid(("order_id", "Invalid value"))
            order = self._order(order_id)
            self._require_active(order)
        else:
            now = self.clock.tick()
            order = Order(id=self.ids.new(), created_at=now, updated_at=now)
            self.orders[order.id] = order
        origin = _origin(request)
        items = []
        units = str(self.catalogue.info.get("default_units", "mm"))
        for name in names:
            item_id = self.ids.new()
            now = self.clock.tick()
            item = Item(id=item_id, filename=name, object_name=f"{order.id}/{item_id}/{name}", units=units, created_at=now, updated_at=now)
            order.items[item_id] = item
            order.updated_at = now
            signed_url = self.signer.url(origin, "PUT", item.object_name, self.upload_seconds)
            items.append(self.views.new_item(item, origin, signed_url))
        return 200, {"order_id": order.id, "items": items}

    async def get_info(self, request: Request, body: Any) -> Answer:
        return 200, self.views.info()

    async def get_order(self, request: Request, body: Any) -> Answer:
        order = self._order(request.path_params["order_id"])
        return 200, self.views.order(order, _origin(request))

    async def patch_order(self, request: Request, body: Any) -> Answer:
        order_id = request.path_params["order_id"]
        order = self._order(order_id)
        self._require_active(order)
        changes = body["items"]
        slicing = [self._check_change(order, index, change) for index, change in enumerate(changes)]
        self._info_changed("patch")
        if any(geometry is not None for geometry in slicing):
            if self.config.analysis_seconds > 0:
                await asyncio.sleep(self.config.analysis_seconds)
            if self.config.analysis_failure:
                fields = [
                    (f"items[{i}].id", f"Model could not be sliced ({self.config.analysis_failure})")
                    for i, geometry in enumerate(slicing)
                    if geometry is not None
                ]
                raise _invalid(*fields)
            order = self._order(order_id)  # it may have gone while slicing
            self._require_active(order)
        updated = []
        for change in changes:
            if change["id"] not in order.items:
                raise _Failure(404, {"error": "Item with the specified ID not found"})
        now = self.clock.tick()
        for change, geometry in zip(changes, slicing, strict=True):
            item = self._apply_change(order.items[change["id"]], change, geometry)
            item.updated_at = order.updated_at = now
            updated.append(item)
        return 200, self.views.updated(order, updated, _origin(request))

    def _check_change(self, order: Order, index: int, change: dict[str, Any]) -> Geometry | None:
        """Refuse a change that cannot apply; the model's new geometry if it needs (re-)slicing."""
        item = order.items.get(change["id"])
        if item is None:
            raise _Failure(404, {"error": "Item with the specified ID not found"})
        prefix = f"items[{index}]"
        merged = {
            name: change.get(name, getattr(item, name))
            for name in ("process_id", "material_id", "quality_id", "color_id", "postproduction_id")
        }
        if item.geometry is None:
            missing = [name for name in ("process_id", "material_id", "quality_id") if name not in change]
            if missing:
                raise _invalid(*((f"{prefix}.{name}", "Parameter is missing") for name in missing))
        process = self.catalogue.processes.get(merged["process_id"] or "")
        if process is None:
            raise _invalid((f"{prefix}.process_id", "Invalid value"))
        for name, options in (
            ("material_id", process.materials),
            ("quality_id", process.qualities),
            ("color_id", process.colors),
            ("postproduction_id", process.postproductions),
        ):
            value = merged[name]
            # material and quality must fit the process; a colour or postproduction the new
            # process lacks is dropped unless the change names it
            checked = name in ("material_id", "quality_id") or name in change
            if checked and value is not None and value not in options:
                raise _invalid((f"{prefix}.{name}", "Invalid value"))
        slicing = item.geometry is None or any(
            name in change and change[name] != getattr(item, name) for name in ("process_id", "material_id", "quality_id")
        )
        units = self._units(change)
        slicing = slicing or (units is not None and units != item.units)
        if not slicing:
            return None
        data = self.objects.get(item.object_name)
        if data is None:
            raise _invalid((f"{prefix}.id", "Model hasn't been uploaded"))
        geometry = measure(data)
        if geometry is None:
            raise _invalid((f"{prefix}.id", "Model can't be sliced: the file is not a valid STL"))
        return geometry

    def _units(self, change: dict[str, Any]) -> str | None:
        """The units a PATCH item sets; the 2021-04-27 API has no ``model.units`` there, so it sets none."""
        if not self.api.units_in_patch:
            return None
        units: str | None = (change.get("model") or {}).get("units")
        return units

    def _apply_change(self, item: Item, change: dict[str, Any], geometry: Geometry | None) -> Item:
        for name in ("process_id", "material_id", "quality_id", "color_id", "postproduction_id"):
            if name in change:
                setattr(item, name, change[name])
        if "quantity" in change:
            item.quantity = int(change["quantity"])
        units = self._units(change)
        if units is not None:
            item.units = units
        if geometry is not None:
            item.geometry = geometry
        process = self.catalogue.processes[str(item.process_id)]
        if item.color_id is not None and item.color_id not in process.colors:
            item.color_id = None
        if item.postproduction_id is not None and item.postproduction_id not in process.postproductions:
            item.postproduction_id = None
        return item

    async def delete_order(self, request: Request, body: Any) -> Answer:
        order = self._order(request.path_params["order_id"])
        self._require_active(order)
        item_id = request.query_params.get("item_id")
        if item_id is None:
            del self.orders[order.id]
            for item in order.items.values():
                self.objects.pop(item.object_name, None)
            return 200, {}
        if item_id not in order.items:
            raise _Failure(404, {"error": "Item with the specified ID not found"})
        item = order.items.pop(item_id)
        self.objects.pop(item.object_name, None)
        order.updated_at = self.clock.tick()
        return 200, {}

    async def apply_discount(self, request: Request, body: Any) -> Answer:
        order = self._order(request.path_params["order_id"])
        self._require_active(order)
        code = request.path_params["code"]
        percent = self.catalogue.discounts.get(code)
        if percent is None:
            raise _Failure(404, {"error": "Discount code not found"})
        order.discount_code, order.discount_percent = code, percent
        order.updated_at = self.clock.tick()
        return 200, self.views.discount(order)

    async def place_order(self, request: Request, body: Any) -> Answer:
        order = self._order(request.path_params["order_id"])
        self._require_active(order)
        problems = []
        if not body["full_name"].strip():
            problems.append(("full_name", "Invalid value"))
        if "@" not in body["email"]:
            problems.append(("email", "Invalid value"))
        for name in ("postal_code", "city", "street_address"):
            if not body[name].strip():
                problems.append((name, "Invalid value"))
        if body["country_id"] not in self.catalogue.countries:
            problems.append(("country_id", "Invalid value"))
        if body["shipping_option"] not in self._shipping_options():
            problems.append(("shipping_option", "Invalid value"))
        # the 2021-04-27 place-order has no discount_code: a client sending one gets no discount
        code = body.get("discount_code") if self.api.discounts else None
        if code and code not in self.catalogue.discounts:
            problems.append(("discount_code", "Discount code not found"))
        if not order.items:
            problems.append(("order_id", "Order has no items"))
        unsliced = [index for index, item in enumerate(order.items.values()) if item.geometry is None]
        problems.extend((f"items[{index}]", "Item hasn't been configured") for index in unsliced)
        if problems:
            raise _invalid(*problems)
        self._info_changed("place-order")
        if code:
            order.discount_code, order.discount_percent = code, self.catalogue.discounts[code]
        order.status = "pending"
        order.updated_at = self.clock.tick()
        order.order_number = str(self.next_number)
        self.next_number += 1
        order.placed = dict(body)
        return 200, {"order_number": order.order_number}

    def _shipping_options(self) -> dict[str, dict[str, Any]]:
        """What place-order's ``shipping_option`` may name: delivery options, and pickup in the 2021-04-27 API."""
        return {**self.catalogue.shipping, **self.catalogue.pickup} if self.api.later_shapes else self.catalogue.shipping

    # -- inspection -----------------------------------------------------------------------

    def placed_orders(self, origin: str) -> list[dict[str, Any]]:
        """Placed orders in the vendor's shape, with readable names next to every id."""
        result = []
        for order in self.orders.values():
            if order.placed is None:
                continue
            view = self.views.order(order, origin)
            for item_view, item in zip(view["items"], order.items.values(), strict=False):
                process = self.catalogue.processes[str(item.process_id)]
                item_view["process_name"] = process.name
                for name, options in (
                    ("material", process.materials),
                    ("quality", process.qualities),
                    ("color", process.colors),
                    ("postproduction", process.postproductions),
                ):
                    option_id = getattr(item, f"{name}_id")
                    item_view[f"{name}_name"] = options[option_id]["name"] if option_id in options else None
                item_view["model"]["bytes"] = len(self.objects.get(item.object_name, b""))
            placed = order.placed
            shipping = self._shipping_options()[placed["shipping_option"]]
            view.update(
                order_id=order.id,
                order_number=order.order_number,
                discount_code=order.discount_code,
                total_discount=self.pricing.totals(order)["total_discount"],
                shipping_option=placed["shipping_option"],
                shipping_option_name=shipping["name"],
                shipping_price=shipping["price"],
                customer={key: value for key, value in placed.items() if key not in ("shipping_option", "discount_code")},
                country_name=self.catalogue.countries[placed["country_id"]],
            )
            result.append(view)
        return result


def _origin(request: Request) -> str:
    """Scheme, host and port the client used, so signed URLs point back at this sandbox."""
    host = request.headers.get("host")
    if not host:
        server = request.scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{request.url.scheme}://{host}"


def build_app(config: SandboxConfig) -> Starlette:
    sandbox = CtqSandbox(config)

    async def storage(request: Request) -> Response:
        name = request.path_params["name"]
        method = request.method
        sandbox.requests[f"{method} /_storage/{{object}}"] += 1
        refusal = sandbox.signer.check(
            method,
            name,
            request.headers.get("content-type", ""),
            request.query_params.get("expires", ""),
            request.query_params.get("signature", ""),
        )
        if refusal is not None:
            return refusal
        if method == "PUT":
            try:
                data = await read_limited(request, _storage.MAX_OBJECT_BYTES)
            except BodyTooLarge:
                return _storage.too_large()
            sandbox.objects[name] = data
            return Response(status_code=200)
        stored = sandbox.objects.get(name)
        if stored is None:
            return _storage.not_found(name)
        return Response(stored, media_type=_storage.CONTENT_TYPE)

    async def inspect_orders(request: Request) -> Response:
        return JSONResponse(sandbox.placed_orders(_origin(request)))

    async def inspect_requests(request: Request) -> Response:
        return JSONResponse(dict(sandbox.requests))

    async def thumbnail(request: Request) -> Response:
        return Response(THUMBNAIL_PNG, media_type="image/png")

    async def inspect_contract(request: Request) -> Response:
        return JSONResponse({"violations": sandbox.violations, "unexpected_errors": sandbox.unexpected})

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return Response(status_code=204)

    api = [
        Route("/get-signed-urls", sandbox.endpoint("POST", "/get-signed-urls", sandbox.get_signed_urls), methods=["POST"]),
        Route("/info", sandbox.endpoint("GET", "/info", sandbox.get_info), methods=["GET"]),
        Route(
            "/orders/{order_id}/place-order",
            sandbox.endpoint("POST", "/orders/{order_id}/place-order", sandbox.place_order),
            methods=["POST"],
        ),
        _order_route(sandbox),
    ]
    if sandbox.api.discounts:
        api.insert(
            2,
            Route(
                "/orders/{order_id}/apply-discount/{code}",
                sandbox.endpoint("POST", "/orders/{order_id}/apply-discount/{code}", sandbox.apply_discount),
                methods=["POST"],
            ),
        )
    routes = [
        *api,
        # the later documents' base path, on the same state; the root stays for hosts that may not use it
        Mount("/api/v1", routes=api),
        Route("/_storage/{name:path}", storage, methods=["PUT", "GET"]),
        Route("/_thumbnails/{item_id}/{size}.png", thumbnail, methods=["GET"]),
        Route("/_sandbox/orders", inspect_orders, methods=["GET"]),
        Route("/_sandbox/requests", inspect_requests, methods=["GET"]),
        Route("/_sandbox/contract", inspect_contract, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.sandbox = sandbox
    return app


def _order_route(sandbox: CtqSandbox) -> Route:
    handlers = {
        "GET": sandbox.endpoint("GET", "/orders/{order_id}", sandbox.get_order),
        "PATCH": sandbox.endpoint("PATCH", "/orders/{order_id}", sandbox.patch_order),
        "DELETE": sandbox.endpoint("DELETE", "/orders/{order_id}", sandbox.delete_order),
    }

    async def order(request: Request) -> Response:
        return await handlers[request.method](request)

    return Route("/orders/{order_id}", order, methods=list(handlers))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, exc.detail)
    return JSONResponse({"error": message}, status_code=exc.status_code)
