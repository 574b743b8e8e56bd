"""A small API for the cassette tests, served over real HTTP on loopback.

It answers with what changes from run to run where a real target does (a signed URL
with a fresh expiry and signature, a session token), reads uploads as streams, and
counts status reads so that polls are deterministic.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from collections import Counter
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

USERNAME = "shop-bot"
PASSWORD = "pa55w0rd-Very-Secret"
API_TOKEN = "tok_live_4f9a8b7c6d5e"


class State:
    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.status_reads: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self.session = ""


def create_app(polls: int = 2) -> tuple[Starlette, State]:
    state = State()

    async def login(request: Request) -> Response:
        data = await request.json()
        if data.get("username") != USERNAME or data.get("password") != PASSWORD:
            return JSONResponse({"error": "bad credentials"}, status_code=401)
        state.session = "sess-" + secrets.token_hex(16)
        return JSONResponse({"access_token": state.session, "expires_in": 3600, "user": {"id": 7, "name": "Shop Bot"}})

    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header in (f"Bearer {state.session}", f"Token {API_TOKEN}") or request.query_params.get("api_key") == API_TOKEN

    async def items(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        params = {key: request.query_params.getlist(key) for key in request.query_params}
        return JSONResponse({"results": [{"id": 1, "name": "PA12 White"}], "query": params})

    async def orders(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        body = await request.json()
        order_id = next(state.ids)
        return JSONResponse({"id": order_id, "received": body}, status_code=201)

    async def upload_url(request: Request) -> Response:
        expires = int(time.time()) + 900
        signature = secrets.token_hex(32)
        base = f"{request.url.scheme}://{request.headers['host']}"
        return JSONResponse({"upload_url": f"{base}/storage/model.stl?expires={expires}&signature={signature}"})

    async def storage(request: Request) -> Response:
        digest = hashlib.sha256()
        size = 0
        async for chunk in request.stream():
            digest.update(chunk)
            size += len(chunk)
        state.bodies.append({"size": size, "sha256": digest.hexdigest(), "content_type": request.headers.get("content-type")})
        return JSONResponse({"size": size, "sha256": digest.hexdigest()})

    async def status(request: Request) -> Response:
        key = request.path_params["id"]
        state.status_reads[key] += 1
        done = state.status_reads[key] > polls
        return JSONResponse({"id": key, "status": "finished" if done else "analysing"})

    async def reset(request: Request) -> Response:
        state.status_reads.clear()
        state.ids = itertools.count(1)
        state.bodies.clear()
        return Response(status_code=204)

    app = Starlette(
        routes=[
            Route("/login", login, methods=["POST"]),
            Route("/items", items, methods=["GET"]),
            Route("/orders", orders, methods=["POST"]),
            Route("/upload-url", upload_url, methods=["POST"]),
            Route("/storage/{name}", storage, methods=["PUT", "POST"]),
            Route("/status/{id}", status, methods=["GET"]),
            Route("/_reset", reset, methods=["POST"]),
        ]
    )
    return app, state
