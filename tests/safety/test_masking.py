"""No secret reaches a message, an event or a report, in any spelling a server may echo it in."""

from __future__ import annotations

import base64
import io
import json
from urllib.parse import quote, quote_plus

import httpx
import pytest

from orderspec.engine import FlowError, Masker, run_flow
from orderspec.report import Progress, json_report, junit_xml, summary

TOKEN = 'tok "en" \\ &<x>  two  blanks'
WORD = "pässwörd-in-the-body"
USER = "ada-lovelace"
PASSWORD = "p4ss:w0rd/+="


def _spellings(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=True)[1:-1],
        base64.b64encode(raw).decode(),
        " ".join(secret.split()),
        secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
    ]


def _leaks(text: str, *secrets: str) -> list[str]:
    found = [form for secret in secrets for form in _spellings(secret) if form in text]
    pair = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return found + ([pair] if pair in text else [])


def test_every_spelling_of_a_secret_is_masked() -> None:
    mask = Masker([TOKEN, USER, PASSWORD])
    for form in _spellings(TOKEN) + _spellings(PASSWORD):
        assert mask(f"before {form} after") == "before *** after", form
    basic = "Authorization: Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert mask(basic) == "Authorization: Basic ***"


def test_a_secret_inside_a_longer_base64_text_is_masked_at_every_offset() -> None:
    secret = "s3cr3t-token-value"
    mask = Masker([secret])
    for prefix in ("", "a", "ab", "abc", "abcd"):
        encoded = base64.b64encode(f"{prefix}{secret} and more".encode()).decode()
        assert "***" in mask(encoded), prefix


def test_credentials_in_urls_are_masked_without_secrets() -> None:
    mask = Masker(())
    assert mask("GET https://ada:pw@api.example/v1 failed") == "GET https://***@api.example/v1 failed"
    assert mask("see http://token@h.example/x?password=abc") == "see http://***@h.example/x?password=***"
    assert mask("mail ada@example.com") == "mail ada@example.com"


def test_short_fragments_are_not_masked_on_their_own() -> None:
    mask = Masker(["k-1"])
    assert mask("look-up k-1 rank") == "look-up *** rank"
    assert mask("ordinary words stay as they are") == "ordinary words stay as they are"


ECHOES = ["echo", "echo-text", "echo-escaped", "echo-urlencoded", "echo-spaced", "echo-padded"]


@pytest.mark.parametrize("echo", ECHOES)
def test_a_server_echoing_the_request_leaks_nothing(hostile, flow_of, echo) -> None:
    flow = flow_of(
        "headers:\n"
        "  Authorization: \"Bearer {{ secrets.token }}\"\n"
        "steps:\n"
        "  - name: echo\n"
        f"    request: {{method: POST, url: /{echo}/500, json: {{key: '{{{{ secrets.token }}}}', word: '{{{{ secrets.word }}}}'}}, params: {{t: '{{{{ secrets.token }}}}'}}}}\n"
    )
    stream = io.StringIO()
    mask = Masker([TOKEN, WORD])
    with pytest.raises(FlowError) as caught:
        run_flow(
            flow, {"target": {"base_url": hostile.base_url}, "secrets": {"token": TOKEN, "word": WORD}}, on_event=Progress(stream, live=False, mask=mask)
        )
    error = caught.value
    assert error.result is not None
    texts = {
        "message": str(error),
        "progress": stream.getvalue(),
        "result": repr(error.result),
        "json": json_report(error.result, mask),
        "junit": junit_xml(error.result, mask),
        "summary": summary(error.result, mask),
    }
    assert "500" in texts["message"]
    for where, text in texts.items():
        assert not _leaks(text, TOKEN, WORD), (where, _leaks(text, TOKEN, WORD))


def test_credentials_the_http_layer_adds_are_masked_when_echoed(hostile, flow_of) -> None:
    """A profile's Basic credentials never enter templates; ``redact`` still hides them when a 500 echoes the header."""
    flow = flow_of("steps:\n  - name: echo\n    request: {method: GET, url: /echo/500}\n")
    auth = httpx.BasicAuth(USER, PASSWORD)
    with httpx.Client(auth=auth) as client, pytest.raises(FlowError) as caught:
        run_flow(flow, {"target": {"base_url": hostile.base_url}}, client=client, redact=[USER, PASSWORD])
    assert hostile.seen[-1].headers["Authorization"].startswith("Basic ")
    message = str(caught.value)
    assert "Basic ***" in message
    assert not _leaks(message, USER, PASSWORD)
    assert not _leaks(json_report(caught.value.result, Masker([USER, PASSWORD])), USER, PASSWORD)


def test_a_secret_cut_by_the_excerpt_is_masked(hostile, flow_of) -> None:
    secret = "0123456789abcdef" * 4
    flow = flow_of("steps:\n  - name: echo\n    request: {method: GET, url: /echo-padded/500, headers: {X-Key: '{{ secrets.key }}'}}\n")
    with pytest.raises(FlowError) as caught:
        run_flow(flow, {"target": {"base_url": hostile.base_url}, "secrets": {"key": secret}})
    message = str(caught.value)
    assert "..." in message  # the excerpt was cut
    assert secret[:12] not in message
