"""The Cloud Storage stand-in behind CTQ's signed URLs.

``POST /get-signed-urls`` hands out URLs that point back at the sandbox
(``{base}/_storage/{object}?expires=...&signature=...``). Like a GCS V2 signed URL, the
signature covers the method, the content type and the expiry, so a PUT without
``Content-Type: application/octet-stream`` or after expiry gets GCS's 403 XML error.
Upload URLs live one hour and download URLs five days (CTQ docs); both are settable
through ``options["signed_url_seconds"]`` and ``options["download_url_seconds"]``.

The signing key comes from ``options["seed"]``, not from the system's randomness, and
the object path is ``{order_id}/{item_id}/{filename}``, so a URL's path is the same for
the same requests. Only the query differs between runs: ``expires`` is wall-clock time
(expiry must really happen) and ``signature`` signs it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

from starlette.responses import Response

CONTENT_TYPE = "application/octet-stream"
MAX_OBJECT_BYTES = 64 * 1024 * 1024


class Signer:
    def __init__(self, seed: int = 0) -> None:
        self._key = hashlib.sha256(f"orderspec-ctq-sandbox-signing:{seed}".encode()).digest()

    def url(self, base: str, method: str, name: str, seconds: float) -> str:
        expires = int(time.time() + seconds)
        return f"{base}/_storage/{quote(name)}?expires={expires}&signature={self._sign(method, name, expires)}"

    def check(self, method: str, name: str, content_type: str, expires: str, signature: str) -> Response | None:
        """``None`` if the request may proceed, else GCS's error answer."""
        if not expires.isdigit() or not signature:
            return _xml_error(400, "MissingSecurityHeader", "Your request was missing a required header.")
        if content_type.split(";")[0].strip().lower() != CONTENT_TYPE or not hmac.compare_digest(
            signature, self._sign(method, name, int(expires))
        ):
            return _xml_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your Google secret key and signing method.",
                f"<StringToSign>{method}\n\n{_escape(content_type)}\n{expires}\n/{_escape(name)}</StringToSign>",
            )
        if int(expires) < time.time():
            return _xml_error(403, "AccessDenied", "Access denied.", "<Details>Request has expired.</Details>")
        return None

    def _sign(self, method: str, name: str, expires: int) -> str:
        text = f"{method}\n{CONTENT_TYPE}\n{expires}\n/{name}".encode()
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()


def not_found(name: str) -> Response:
    return _xml_error(
        404, "NoSuchKey", "The specified key does not exist.", f"<Details>No such object: {_escape(name)}</Details>"
    )


def too_large() -> Response:
    return _xml_error(400, "EntityTooLarge", f"Your proposed upload exceeds the maximum of {MAX_OBJECT_BYTES} bytes.")


def _xml_error(status: int, code: str, message: str, extra: str = "") -> Response:
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message>{extra}</Error>"
    return Response(body, status_code=status, media_type="application/xml; charset=UTF-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
