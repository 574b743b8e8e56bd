"""Inspection for tests and users: ``/_sandbox/orders``, ``/_sandbox/reset``, ``/_sandbox/requests``.

No authentication, so a test can look without knowing the vendor's credentials. Orders
are listed in the shape the API returned them, which already carries names next to
ids (offer, material, post-processings, file, unit, addresses, methods).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from orderspec.sandbox.threeyourmind._http import Call, answer, no_content, route


async def orders(call: Call) -> Response:
    return answer(list(call.state.orders.values()))


async def reset(call: Call) -> Response:
    call.state.reset()
    return no_content()


async def requests(call: Call) -> Response:
    return answer(dict(call.state.requests))


def routes() -> list[Route]:
    return [
        route("/_sandbox/orders", auth=False, counted=False, get=orders),
        route("/_sandbox/reset", auth=False, counted=False, post=reset),
        route("/_sandbox/requests", auth=False, counted=False, get=requests),
    ]
