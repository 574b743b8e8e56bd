"""PrintHub: a small print-shop API that orderspec knows nothing about.

What real APIs do that the built-in systems do not all do: a bearer token, a material
list split over pages by next links, models processed asynchronously after upload, and
an idempotency key on order creation (the same key answers the same order).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "ph-live-7f3a9c"
MATERIALS = [
    {"id": "m1", "name": "PLA Black", "price_cm3": "0.20"},
    {"id": "m2", "name": "PLA White", "price_cm3": "0.20"},
    {"id": "m3", "name": "PETG Clear", "price_cm3": "0.35"},
    {"id": "m4", "name": "Nylon PA12", "price_cm3": "0.90"},
    {"id": "m5", "name": "Resin Grey", "price_cm3": "1.10"},
]
PAGE = 2
PROCESSING_READS = 2
"""Status reads that answer "processing" before a model is "ready"."""


def create_app() -> Starlette:
    uploads: dict[str, dict[str, Any]] = {}
    orders: dict[str, dict[str, Any]] = {}
    requests: list[str] = []

    def authorized(request: Request) -> bool:
        requests.append(f"{request.method} {request.url.path}?{request.url.query}")
        return request.headers.get("authorization") == f"Bearer {TOKEN}"

    def denied() -> Response:
        return JSONResponse({"error": "invalid token"}, status_code=401)

    async def materials(request: Request) -> Response:
        if not authorized(request):
            return denied()
        page = int(request.query_params.get("page", "1"))
        items = MATERIALS[(page - 1) * PAGE : page * PAGE]
        more = page * PAGE < len(MATERIALS)
        return JSONResponse({"items": items, "next": f"/v1/materials?page={page + 1}" if more else None})

    async def upload(request: Request) -> Response:
        if not authorized(request):
            return denied()
        form = await request.form()
        file: Any = form["file"]
        data = await file.read()
        upload_id = f"u{len(uploads) + 1}"
        uploads[upload_id] = {"id": upload_id, "name": file.filename, "bytes": len(data), "reads": 0}
        return JSONResponse({"id": upload_id, "status": "processing"}, status_code=202)

    async def upload_status(request: Request) -> Response:
        if not authorized(request):
            return denied()
        found = uploads.get(request.path_params["upload_id"])
        if found is None:
            return JSONResponse({"error": "no such upload"}, status_code=404)
        found["reads"] += 1
        if found["reads"] <= PROCESSING_READS:
            return JSONResponse({"id": found["id"], "status": "processing"})
        return JSONResponse({"id": found["id"], "status": "ready", "volume_cm3": "12.5"})

    async def create_order(request: Request) -> Response:
        if not authorized(request):
            return denied()
        key = request.headers.get("idempotency-key")
        if not key:
            return JSONResponse({"error": "Idempotency-Key is required"}, status_code=400)
        body = await request.json()
        if key in orders:
            if orders[key]["request"] != body:
                return JSONResponse({"error": "Idempotency-Key reused with another body"}, status_code=422)
            return JSONResponse(orders[key]["answer"], status_code=200)
        for line in body["lines"]:
            if uploads.get(line["upload_id"], {}).get("reads", 0) <= PROCESSING_READS:
                return JSONResponse({"error": f"upload {line['upload_id']} is still processing"}, status_code=409)
        number = f"PH-{1001 + len(orders)}"
        answer = {"order_number": number, "status": "received", "lines": body["lines"]}
        orders[key] = {"request": body, "answer": answer}
        return JSONResponse(answer, status_code=201)

    async def placed(request: Request) -> Response:
        return JSONResponse([entry["answer"] | {"key": key} for key, entry in orders.items()])

    async def seen(request: Request) -> Response:
        return JSONResponse(requests)

    return Starlette(
        routes=[
            Route("/v1/materials", materials),
            Route("/v1/uploads", upload, methods=["POST"]),
            Route("/v1/uploads/{upload_id}", upload_status),
            Route("/v1/orders", create_order, methods=["POST"]),
            Route("/_test/orders", placed),
            Route("/_test/requests", seen),
        ]
    )
