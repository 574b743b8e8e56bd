"""Model uploads: ``POST /api/v2.0/files/`` (seed, wiki) and ``POST /upload/`` (the SDK).

Multipart with a ``file`` part that carries a filename, and form fields ``basket_id``,
``line_id`` and ``unit`` (``mm`` or ``inch``); ``basket_id``/``line_id`` may also come
as query parameters. The seed's example sends no token here (3YOURMIND accepts uploads
into anonymous baskets), so a token is optional, but a wrong one is still refused.
The bytes are hashed and dropped; the analysis status is derived from the upload time.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import PurePosixPath

from starlette.responses import Response
from starlette.routing import Route

from runner.sandbox.threeyourmind import _errors, _fields, _multipart, _shapes
from runner.sandbox.threeyourmind._fields import FieldErrors, Invalid
from runner.sandbox.threeyourmind._http import Call, answer, read_body, route
from runner.sandbox.threeyourmind._state import Basket, Line, StoredFile, now_iso

UNITS = ("mm", "inch")
EXTENSIONS = ("stl", "obj", "3mf", "step", "stp", "iges", "igs", "ply", "wrl", "x_t", "sldprt", "zip")
DEFAULT_MAX_UPLOAD = 64 << 20


def _form_int(value: str | None, errors: FieldErrors, key: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return _fields.as_int(value)
    except Invalid as exc:
        errors.add(key, exc.message)
        return None


async def upload(call: Call) -> Response:
    request = call.request
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise _errors.detail(415, f'Unsupported media type "{media}" in request.')
    limit = int(call.state.config.options.get("max_upload_bytes", DEFAULT_MAX_UPLOAD))  # type: ignore[call-overload]
    body = await read_body(request, limit)
    try:
        parts = _multipart.parse(content_type, body)
    except _multipart.MultipartError as exc:
        raise _errors.detail(400, f"Multipart form parse error - {exc}") from None

    form: dict[str, str] = {}
    file_part: _multipart.Part | None = None
    file_sent_as_text = False
    for part in parts:
        if part.name == "file":
            if part.filename is None:
                file_sent_as_text = True
            elif file_part is None:
                file_part = part
        elif part.filename is None and part.name not in form:
            form[part.name] = part.data.decode("utf-8", "replace").strip()

    errors = FieldErrors()
    if file_part is None:
        errors.add("file", "The submitted data was not a file. Check the encoding type on the form." if file_sent_as_text else "No file was submitted.")
    else:
        name = PurePosixPath(file_part.filename.replace("\\", "/")).name if file_part.filename else ""
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if not name:
            errors.add("file", "The submitted file is empty." if not file_part.data else "No filename could be determined.")
        elif not file_part.data:
            errors.add("file", "The submitted file is empty.")
        elif extension not in EXTENSIONS:
            errors.add("file", f"File extension “{extension}” is not allowed. Allowed extensions are: {', '.join(EXTENSIONS)}.")
        elif len(name) > 255:
            errors.add("file", "Ensure this filename has at most 255 characters.")

    unit = form.get("unit")
    if not unit:
        errors.add("unit", _errors.REQUIRED)
    elif unit not in UNITS:
        errors.add("unit", _errors.invalid_choice(unit))

    basket_id = _form_int(form.get("basket_id") or call.query("basket_id"), errors, "basketId")
    line_id = _form_int(form.get("line_id") or call.query("line_id"), errors, "lineId")
    basket: Basket | None = None
    line: Line | None = None
    if basket_id is not None:
        basket = call.state.baskets.get(basket_id)
        if basket is None:
            errors.add("basketId", _errors.invalid_pk(basket_id))
        elif basket.order_id is not None:
            errors.add("basketId", _errors.ALREADY_ORDERED)
    if line_id is not None:
        if basket_id is None and "basketId" not in errors.errors:
            errors.add("basketId", _errors.REQUIRED)
        elif basket is not None:
            line = basket.lines.get(line_id)
            if line is None:
                errors.add("lineId", _errors.invalid_pk(line_id))
    errors.check()
    assert file_part is not None and unit is not None

    if basket is not None and line is None:
        line = call.state.new_line(basket)  # an upload into a basket without a line starts a new line
    stored = StoredFile(
        uuid=call.state.new_file_uuid(),
        name=name,
        size=len(file_part.data),
        sha256=hashlib.sha256(file_part.data).hexdigest(),
        unit=unit,
        content_type=file_part.content_type or "application/octet-stream",
        uploaded_at=time.monotonic(),
        created_at=now_iso(),
        basket_id=basket.id if basket else None,
        line_id=line.id if line else None,
    )
    call.state.files[stored.uuid] = stored
    if line is not None:
        line.file_uuid = stored.uuid
    return answer(_shapes.file_json(call.state, stored), 201)


async def status(call: Call) -> Response:
    stored = call.state.files.get(call.request.path_params["uuid"])
    if stored is None:
        raise _errors.not_found()
    return answer({"status": call.state.file_status(stored)})


def routes() -> list[Route]:
    return [
        route("/api/v2.0/files/", auth=False, post=upload),
        route("/upload/", auth=False, post=upload),
        route("/api/v2.0/files/status/{uuid}/", get=status),
    ]

