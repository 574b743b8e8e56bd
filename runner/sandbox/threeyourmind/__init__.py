"""The 3YOURMIND sandbox: User Panel and Service Panel of one instance, in one app.

Base ``/api/v2.0/``, DRF token auth (``Authorization: Token sandbox-token``; the
read-only ``sandbox-readonly-token`` gets 403 where ordering permission is needed),
camelCase JSON with the seed's snake_case exceptions, decimals as strings, DRF's error
bodies. Uploads go to ``/api/v2.0/files/`` or ``/upload/``; a file is ``analysing``
for its first ``config.analysis_polls`` status reads (and ``config.analysis_seconds``),
then ``finished`` (or ``config.analysis_failure``).
``config.options["max_upload_bytes"]`` caps an upload (64 MiB by default).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from orderspec.sandbox._catalogue import CatalogueError
from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox.threeyourmind import _common, _files, _inspect, _profile, _quotes, _service_panel, _user_panel
from orderspec.sandbox.threeyourmind._catalogue import load_catalogue
from orderspec.sandbox.threeyourmind._state import State

__all__ = ["CatalogueError", "create_app"]


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths (and path ids that are not integers) answer like Django's 404 under DRF."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = {404: "Not found.", 405: f'Method "{request.method}" not allowed.'}.get(status, "A server error occurred.")
    return JSONResponse({"detail": message}, status_code=status)


def _fault_body(status: int, message: str) -> dict[str, str]:
    """Injected 5xx answers look like DRF's own."""
    return {"detail": "A server error occurred." if status == 500 else message}


def create_app(config: SandboxConfig) -> Starlette:
    """A fresh 3YOURMIND instance with the catalogue of ``config`` (or the built-in one)."""
    state = State(load_catalogue(config.catalogue), config, _files.upload_limit(config.options))
    routes = [
        *_service_panel.routes(),
        *_user_panel.routes(),
        *_quotes.routes(),
        *_profile.routes(),
        *_common.routes(),
        *_files.routes(),
        *_inspect.routes(),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error, Exception: _http_error})
    app.state.sandbox = state
    app.state.fault_error_body = _fault_body
    return app
