"""A small basket-and-order API for the engine tests, served over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import hashlib
import io
import itertools
import zipfile
from collections import Counter
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


class State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything: ids count from 1 again."""
        self.ids = itertools.count(1)
        self.orders: list[dict[str, Any]] = []
        self.ordered_baskets: set[int] = set()
        self.hits: Counter[str] = Counter()
        self.requests: list[dict[str, Any]] = []
        """Every request as it arrived: method, path, query and body."""


_KEEP = 1 << 16


class _Record:
    """ASGI middleware writing each request (method, path, query, body) to ``state.requests``."""

    def __init__(self, app: Any, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry = {"method": scope["method"], "path": scope["path"], "query": scope["query_string"].decode(), "body": b""}
        self.state.requests.append(entry)

        async def recording() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.request" and len(entry["body"]) < _KEEP:  # large uploads are not kept
                entry["body"] += message.get("body", b"")[: _KEEP - len(entry["body"])]
            return message

        await self.app(scope, recording, send)


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, str] = {}
    files: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename is None:
            fields[name] = payload.decode()
        else:
            files[name] = {
                "filename": filename,
                "content_type": part.get_content_type(),
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
            if part.get_content_type() == "application/zip":
                with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                    files[name]["entries"] = {info.filename: info.file_size for info in archive.infolist()}
    return {"fields": fields, "files": files}


def create_app() -> tuple[Starlette, State]:
    state = State()

    async def users(request: Request) -> Response:
        search = request.query_params.get("search", "")
        if request.headers.get("authorization") != "Token s3cr3t-token":
            return JSONResponse({"detail": "Invalid token."}, status_code=401)
        return JSONResponse({"count": 1, "results": [{"id": 42, "name": search}]})

    async def baskets(request: Request) -> Response:
        return JSONResponse({"id": next(state.ids)}, status_code=201)

    async def lines(request: Request) -> Response:
        return JSONResponse({"id": next(state.ids), "basket": int(request.path_params["basket"])}, status_code=201)

    async def files(request: Request) -> Response:
        body = await request.body()
        parsed = _parse_multipart(request.headers["content-type"], body)
        parsed["content_length"] = request.headers.get("content-length")
        return JSONResponse(parsed, status_code=201)

    async def status(request: Request) -> Response:
        line = request.path_params["line"]
        state.hits[f"status:{line}"] += 1
        ready_after = int(request.query_params.get("ready_after", "2"))
        if request.query_params.get("fail"):
            return JSONResponse({"status": "failed", "reason": "not manifold"})
        done = state.hits[f"status:{line}"] > ready_after
        return JSONResponse({"status": "finished" if done else "analysing"})

    async def orders(request: Request) -> Response:
        data = await request.json()
        basket = data.get("basketId")
        if basket in state.ordered_baskets:
            return JSONResponse({"detail": "basket already ordered"}, status_code=409)
        state.ordered_baskets.add(basket)
        order = {"id": 1000 + len(state.orders), **data}
        state.orders.append(order)
        return JSONResponse(order, status_code=201)

    async def upload(request: Request) -> Response:
        digest = hashlib.sha256()
        size = 0
        async for chunk in request.stream():
            digest.update(chunk)
            size += len(chunk)
        return JSONResponse(
            {
                "size": size,
                "sha256": digest.hexdigest(),
                "content_type": request.headers.get("content-type"),
                "content_length": request.headers.get("content-length"),
                "chunked": request.headers.get("transfer-encoding") == "chunked",
            }
        )

    async def flaky(request: Request) -> Response:
        key = request.query_params["key"]
        fails = int(request.query_params.get("fail", "1"))
        code = int(request.query_params.get("status", "503"))
        state.hits[f"flaky:{key}"] += 1
        if state.hits[f"flaky:{key}"] <= fails:
            headers = {"Retry-After": request.query_params["after"]} if "after" in request.query_params else {}
            return JSONResponse({"error": "try later"}, status_code=code, headers=headers)
        return JSONResponse({"ok": True, "hits": state.hits[f"flaky:{key}"]})

    async def slow(request: Request) -> Response:
        await asyncio.sleep(float(request.query_params.get("delay", "1")))
        return JSONResponse({"ok": True})

    async def echo(request: Request) -> Response:
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "headers": dict(request.headers),
                "body": body.decode("utf-8", "replace"),
            }
        )

    async def catalogue(request: Request) -> Response:
        return JSONResponse(
            {"materials": [{"id": "m1", "name": "PA12 White"}, {"id": "m2", "name": "PA12 Black"}, {"id": "m3", "name": "Resin Clear"}]}
        )

    async def people(request: Request) -> Response:
        """A list in pages the Django REST framework way: ``{count, next, previous, results}``."""
        size = int(request.query_params.get("page_size", "2"))
        total = int(request.query_params.get("total", "5"))
        page = int(request.query_params.get("page", "1"))
        everyone = [{"id": index, "name": f"person {index}"} for index in range(1, total + 1)]
        results = everyone[(page - 1) * size : page * size]

        def link(number: int) -> str | None:
            if number < 1 or (number - 1) * size >= total:
                return None
            query = dict(request.query_params, page=str(number))
            absolute = request.query_params.get("links") != "relative"
            path = "/people?" + "&".join(f"{key}={value}" for key, value in query.items())
            return str(request.base_url).rstrip("/") + path if absolute else path

        next_link = request.query_params.get("next_to")  # a server that points elsewhere
        return JSONResponse(
            {"count": total, "next": next_link or link(page + 1), "previous": link(page - 1), "results": results}
        )

    async def pages(request: Request) -> Response:
        """A list by page number that answers an empty page after the last."""
        size = int(request.query_params.get("per_page", "2"))
        total = int(request.query_params.get("total", "5"))
        page = int(request.query_params.get("page", "0"))
        items = [f"item {index}" for index in range(1, total + 1)][(page - 1) * size : page * size] if page >= 1 else []
        return JSONResponse({"page": page, "items": items, "last": page * size >= total})

    async def text(request: Request) -> Response:
        return PlainTextResponse("plain words", status_code=int(request.query_params.get("status", "200")))

    app = Starlette(
        routes=[
            Route("/users", users),
            Route("/baskets", baskets, methods=["POST"]),
            Route("/baskets/{basket:int}/lines", lines, methods=["POST"]),
            Route("/files", files, methods=["POST"]),
            Route("/lines/{line}/status", status),
            Route("/orders", orders, methods=["POST"]),
            Route("/upload", upload, methods=["PUT", "POST"]),
            Route("/flaky", flaky, methods=["GET", "POST"]),
            Route("/slow", slow, methods=["GET", "POST"]),
            Route("/echo", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route("/catalogue", catalogue),
            Route("/text", text),
            Route("/people", people),
            Route("/pages", pages),
        ]
    )
    app.add_middleware(_Record, state=state)
    return app, state
