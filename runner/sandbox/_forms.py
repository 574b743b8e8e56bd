"""Multipart bodies of the sandboxes' upload endpoints, read by Starlette's form parser.

``Request.form()`` drives python-multipart and spools every file part into a
``SpooledTemporaryFile`` (memory up to 1 MiB, disk beyond), so an upload is never held
whole in memory. Two things it leaves to the caller are done here: a limit on the
whole body (``orderspec.sandbox._body``; the vendors answer 413 beyond it), and
``multipart/*`` types other than ``form-data``, which ``form()`` reads as an empty form
(to.photo documents ``multipart/mixed``): those go through Starlette's
``MultiPartParser``, the class ``form()`` itself runs, so both types are parsed,
limited and spooled alike.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from orderspec.sandbox._body import limited_request

# A malformed body already gets the vendor's error answer; python-multipart's own
# warning about it ("Expected boundary character ...") would only be noise on stderr.
logging.getLogger("python_multipart").setLevel(logging.ERROR)


class MalformedForm(Exception):
    """The body is not well-formed multipart; the message is the parser's reason."""


@dataclass(frozen=True)
class FormLimits:
    """What one upload may hold: the whole body in bytes, and python-multipart's part limits."""

    max_body: int
    max_files: int
    max_fields: int
    max_part_size: int
    """Bytes of one part that is not a file (file parts are spooled, not limited here)."""


def media_type(request: Request) -> str:
    """``Multipart/Form-Data; boundary=x`` -> ``multipart/form-data``."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


@asynccontextmanager
async def open_form(request: Request, limits: FormLimits) -> AsyncIterator[FormData]:
    """The parts of a ``multipart/*`` body, for as long as the block runs; the spooled files go after it.

    Raises ``BodyTooLarge`` once the body passes ``limits.max_body`` bytes and
    ``MalformedForm`` for a body the parser refuses.
    """
    form = await _parse(limited_request(request, limits.max_body), limits)
    try:
        yield form
    finally:
        await form.close()


def first_file(form: FormData, name: str) -> UploadFile | None:
    """The first file part called ``name`` (a part without filename is a text field, not a file)."""
    return next((value for value in form.getlist(name) if isinstance(value, UploadFile)), None)


async def _parse(request: Request, limits: FormLimits) -> FormData:
    try:
        if media_type(request) == "multipart/form-data":
            return await request.form(max_files=limits.max_files, max_fields=limits.max_fields, max_part_size=limits.max_part_size)
        async with aclosing(request.stream()) as stream:
            parser = MultiPartParser(
                request.headers,
                stream,
                max_files=limits.max_files,
                max_fields=limits.max_fields,
                max_part_size=limits.max_part_size,
            )
            return await parser.parse()
    except HTTPException as exc:  # how form() reports python-multipart's refusal inside an app
        raise MalformedForm(exc.detail) from None
    except MultiPartException as exc:
        raise MalformedForm(exc.message) from None
