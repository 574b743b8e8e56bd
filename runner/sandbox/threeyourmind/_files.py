"""Model uploads: ``POST /api/v2.0/files/`` (seed, wiki) and ``POST /upload/`` (the SDK).

Multipart with a ``file`` part that carries a filename, and form fields ``basket_id``,
``line_id`` and ``unit`` (``mm`` or ``inch``); ``basket_id``/``line_id`` may also come
as query parameters. The seed's example sends no token here (3YOURMIND accepts uploads
into anonymous baskets), so a token is optional, but a wrong one is still refused.
The body is read by Starlette's form parser (``orderspec.sandbox._forms``), which spools
the file; its bytes are hashed and dropped, and the analysis status is derived from the
upload time.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import PurePosixPath
from typing import IO

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response
from starlette.routing import Route

from orderspec.sandbox import _forms
from orderspec.sandbox._body import BodyTooLarge
from orderspec.sandbox.threeyourmind import _errors, _fields, _shapes
from orderspec.sandbox.threeyourmind._fields import FieldErrors
from orderspec.sandbox.threeyourmind._http import Call, answer, route, too_large
from orderspec.sandbox.threeyourmind._state import Basket, Line, StoredFile

UNITS = ("mm", "inch")
EXTENSIONS = ("stl", "obj", "3mf", "step", "stp", "iges", "igs", "ply", "wrl", "x_t", "sldprt", "zip")
DEFAULT_MAX_UPLOAD = 64 << 20
# Django's defaults: DATA_UPLOAD_MAX_NUMBER_FILES, DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_MEMORY_SIZE
MAX_FILES = 100
MAX_FIELDS = 1000
MAX_FIELD_BYTES = 2_621_440
INLINE_HASH_BYTES = 1 << 20  # what Starlette keeps in memory; larger uploads are on disk


def upload_limit(options: dict[str, object]) -> int:
    """``options["max_upload_bytes"]``, checked when the sandbox starts rather than on the first upload."""
    value = options.get("max_upload_bytes", DEFAULT_MAX_UPLOAD)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"options.max_upload_bytes must be a positive number of bytes, not {value!r}")
    return value


async def upload(call: Call) -> Response:
    media = _forms.media_type(call.request)
    if media != "multipart/form-data":
        raise _errors.detail(415, f'Unsupported media type "{media}" in request.')
    limit = call.state.max_upload_bytes
    limits = _forms.FormLimits(max_body=limit, max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
    try:
        async with _forms.open_form(call.request, limits) as form:
            return await _store(call, form)
    except BodyTooLarge:
        raise too_large(limit) from None
    except _forms.MalformedForm as exc:
        raise _errors.detail(400, f"Multipart form parse error - {exc}") from None


async def _store(call: Call, form: FormData) -> Response:
    """Check the parts as DRF's serializer does, then record the file (its hash, not its bytes)."""
    file = _forms.first_file(form, "file")
    errors = FieldErrors()
    name = ""
    if file is None:
        sent_as_text = any(isinstance(value, str) for value in form.getlist("file"))
        errors.add("file", "The submitted data was not a file. Check the encoding type on the form." if sent_as_text else "No file was submitted.")
    else:
        name = PurePosixPath((file.filename or "").replace("\\", "/")).name
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if not name:
            errors.add("file", "The submitted file is empty." if not file.size else "No filename could be determined.")
        elif not file.size:
            errors.add("file", "The submitted file is empty.")
        elif extension not in EXTENSIONS:
            errors.add("file", f"File extension “{extension}” is not allowed. Allowed extensions are: {', '.join(EXTENSIONS)}.")
        elif len(name) > 255:
            errors.add("file", "Ensure this filename has at most 255 characters.")

    digest = ""
    if file is not None and "file" not in errors.errors:
        # hashed before the basket is looked at: checking it and attaching the file happen with no await between
        digest = await _sha256(file)

    unit = _text(form, "unit")
    if not unit:
        errors.add("unit", _errors.REQUIRED)
    elif unit not in UNITS:
        errors.add("unit", _errors.invalid_choice(unit))

    basket_id = _fields.optional_int(_text(form, "basket_id") or call.query("basket_id"), errors, "basketId")
    line_id = _fields.optional_int(_text(form, "line_id") or call.query("line_id"), errors, "lineId")
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
    assert file is not None and unit is not None

    if basket is not None and line is None:
        line = call.state.new_line(basket)  # an upload into a basket without a line starts a new line
    stored = StoredFile(
        uuid=call.state.new_file_uuid(),
        name=name,
        size=file.size or 0,
        sha256=digest,
        unit=unit,
        content_type=file.content_type or "application/octet-stream",
        uploaded_at=time.monotonic(),
        created_at=call.state.now(),
        basket_id=basket.id if basket else None,
        line_id=line.id if line else None,
    )
    call.state.files[stored.uuid] = stored
    if line is not None:
        line.file_uuid = stored.uuid
    return answer(_shapes.file_json(call.state, stored), 201)


def _text(form: FormData, name: str) -> str | None:
    """The first text part called ``name``, stripped (file parts of that name do not count)."""
    value = next((value for value in form.getlist(name) if isinstance(value, str)), None)
    return value.strip() if value is not None else None


async def _sha256(file: UploadFile) -> str:
    """The hash of a spooled upload; one beyond what is kept in memory is read from disk in a thread."""
    if (file.size or 0) <= INLINE_HASH_BYTES:
        return _digest(file.file)
    return await run_in_threadpool(_digest, file.file)


def _digest(file: IO[bytes]) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


async def status(call: Call) -> Response:
    stored = call.state.files.get(call.request.path_params["uuid"])
    if stored is None:
        raise _errors.not_found()
    return answer({"status": call.state.file_status(stored, read=True)})


def routes() -> list[Route]:
    return [
        route("/api/v2.0/files/", auth=False, post=upload),
        route("/upload/", auth=False, post=upload),
        route("/api/v2.0/files/status/{uuid}/", get=status),
    ]

