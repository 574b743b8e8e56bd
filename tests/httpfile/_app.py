"""A small Service Panel stand-in that answers the twelve requests of the seed's .http example.

It checks what a real server would: the token on every request, integer ids in JSON
bodies, the multipart parts of the upload. Every request is recorded so tests can
compare what the converted flow sent with what the .http file says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import HTTP
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "local-test-token"
SERVICE = "/api/v2.0/service-panel/services/{service_id:int}"
CUSTOMER, BASKET, LINE, ORDER = 42, 7, 5, 99
ADDRESSES = [{"id": 301, "city": "Hamburg"}, {"id": 302, "city": "Munich"}, {"id": 303, "city": "Berlin"}]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    form: dict[str, Any] = field(default_factory=dict)


@dataclass
class State:
    requests: list[Seen] = field(default_factory=list)

    def paths(self) -> list[tuple[str, str]]:
        return [(seen.method, seen.path) for seen in self.requests]


def create_app() -> tuple[Starlette, State]:
    state = State()

    async def record(request: Request) -> Seen | Response:
        body = await request.body()
        seen = Seen(request.method, request.url.path, dict(request.query_params), dict(request.headers))
        state.requests.append(seen)
        if request.headers.get("authorization") != f"Token {TOKEN}":
            return JSONResponse({"detail": "Authentication credentials were not provided."}, status_code=401)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json") and body:
            try:
                seen.json = json.loads(body)
            except ValueError:
                return JSONResponse({"detail": "JSON parse error"}, status_code=400)
        elif content_type.startswith("multipart/form-data"):
            seen.form = _multipart(content_type, body)
        return seen

    def requires(seen: Seen, **types: type) -> Response | None:
        body = seen.json if isinstance(seen.json, dict) else {}
        errors = {k: ["A valid value is required."] for k, t in types.items() if not isinstance(body.get(k), t) or isinstance(body.get(k), bool)}
        return JSONResponse(errors, status_code=400) if errors else None

    async def users(request: Request) -> Response:
        seen = await record(request)
        if isinstance(seen, Response):
            return seen
        search = request.query_params.get("search", "")
        people = [{"id": CUSTOMER, "name": "Maria Ortega"}, {"id": 43, "name": "Jon Smith"}]
        results = [p for p in people if search.lower() in p["name"].lower()]
        return JSONResponse({"count": len(results), "currentPage": 1, "totalPages": 1, "pageSize": 10, "results": results})

    async def baskets(request: Request) -> Response:
        seen = await record(request)
        return seen if isinstance(seen, Response) else JSONResponse({"id": BASKET, "lines": []}, status_code=201)

    async def basket(request: Request) -> Response:
        seen = await record(request)
        if isinstance(seen, Response):
            return seen
        return requires(seen, customer_id=int) or JSONResponse({"id": BASKET, "customerId": seen.json["customer_id"]})

    async def addresses(request: Request) -> Response:
        seen = await record(request)
        if isinstance(seen, Response):
            return seen
        if request.path_params["customer_id"] != CUSTOMER:
            return JSONResponse({"detail": "Not found."}, status_code=404)
        return JSONResponse(ADDRESSES)

    def listing(items: list[dict[str, Any]]):
        async def endpoint(request: Request) -> Response:
            seen = await record(request)
            return seen if isinstance(seen, Response) else JSONResponse(items)

        return endpoint

    async def lines(request: Request) -> Response:
        seen = await record(request)
        return seen if isinstance(seen, Response) else JSONResponse({"id": LINE, "basketId": BASKET}, status_code=201)

    async def line(request: Request) -> Response:
        seen = await record(request)
        if isinstance(seen, Response):
            return seen
        problem = requires(seen, offer_id=int, postProcessings=list, unitPrintPrice=str)
        return problem or JSONResponse({"id": LINE, "offerId": seen.json["offer_id"]})

    async def files(request: Request) -> Response:
        seen = await record(request)
        if isinstance(seen, Response):
            return seen
        upload = seen.form.get("file")
        if not isinstance(upload, dict) or not upload.get("filename"):
            return JSONResponse({"file": ["No file was submitted."]}, status_code=400)
        for name in ("basket_id", "line_id", "unit"):
            if name not in seen.form:
                return JSONResponse({name: ["This field is required."]}, status_code=400)
        return JSONResponse({"id": 1, "name": upload["filename"]}, status_code=201)

    async def file_status(request: Request) -> Response:
        seen = await record(request)
        return seen if isinstance(seen, Response) else JSONResponse({"status": "finished"})

    async def orders(request: Request) -> Response:
        seen = await record(request)
        if isinstance(seen, Response):
            return seen
        problem = requires(seen, basketId=int, billingAddressId=int, userId=int, shipping=dict, payment=dict)
        return problem or JSONResponse({"id": ORDER, "basketId": seen.json["basketId"]}, status_code=201)

    async def echo(request: Request) -> Response:
        """Answers with what it received, without checking a token."""
        body = await request.body()
        seen = Seen(request.method, request.url.path, dict(request.query_params), dict(request.headers))
        if request.headers.get("content-type", "").startswith("application/json") and body:
            seen.json = json.loads(body)
        state.requests.append(seen)
        answer = {"path": seen.path, "query": seen.query, "headers": seen.headers, "json": seen.json, "size": len(body)}
        return JSONResponse(answer, status_code=201 if request.method == "POST" else 200)

    routes = [
        Route("/echo/{rest:path}", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route(SERVICE + "/internal-ordering/users/", users),
        Route(SERVICE + "/baskets/", baskets, methods=["POST"]),
        Route(SERVICE + "/baskets/{basket_id:int}/", basket, methods=["PATCH"]),
        Route(SERVICE + "/internal-ordering/users/{customer_id:int}/addresses/", addresses),
        Route(SERVICE + "/payment-methods/", listing([{"id": 11, "name": "Invoice"}, {"id": 12, "name": "Credit Card"}])),
        Route(SERVICE + "/shipping-methods/", listing([{"id": 21, "name": "Standard Shipping"}])),
        Route(SERVICE + "/offers/", listing([{"id": 31, "name": "PA12 White (SLS)"}])),
        Route(SERVICE + "/baskets/{basket_id:int}/lines/", lines, methods=["POST"]),
        Route(SERVICE + "/baskets/{basket_id:int}/lines/{line_id:int}/", line, methods=["PATCH"]),
        Route("/api/v2.0/files/", files, methods=["POST"]),
        Route(SERVICE + "/baskets/{basket_id:int}/lines/{line_id:int}/file-status/", file_status),
        Route(SERVICE + "/internal-ordering/orders/", orders, methods=["POST"]),
    ]
    return Starlette(routes=routes), state


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Parts of a multipart body: text fields as str, files as {filename, content_type, data}."""
    message = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=HTTP)
    parts: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        data = part.get_payload(decode=True) or b""
        if filename is not None:
            parts[name] = {"filename": filename, "content_type": part.get_content_type(), "data": data}
        else:
            parts[name] = data.decode()
    return parts
