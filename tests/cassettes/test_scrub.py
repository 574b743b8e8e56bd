"""Scrubbing: credentials in any encoding, credential headers and parameters, tokens in answers."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

from orderspec.cassettes import PLACEHOLDER, Scrubber, cassette_path, scrub_options

SECRET = 'k3y/with+odd"chars=and\\more'


def test_a_secret_is_scrubbed_in_plain_base64_json_and_url_encoded_forms() -> None:
    scrubber = Scrubber([SECRET])
    texts = [
        f"plain {SECRET} end",
        "base64 " + base64.b64encode(SECRET.encode()).decode() + " end",
        "unpadded " + base64.b64encode(SECRET.encode()).decode().rstrip("=") + " end",
        "urlsafe " + base64.urlsafe_b64encode(SECRET.encode()).decode() + " end",
        "json " + json.dumps({"value": SECRET}) + " end",
        "url " + quote(SECRET, safe="") + " and " + quote_plus(SECRET) + " end",
        "inside " + base64.b64encode(b"prefix-" + SECRET.encode() + b"-suffix").decode() + " end",
    ]
    for text in texts:
        scrubbed = scrubber.text(text)
        assert PLACEHOLDER in scrubbed, text
        assert "odd" not in scrubbed and "k3y" not in scrubbed
        for form in (base64.b64encode(SECRET.encode()).decode()[:12], quote(SECRET, safe="")[:12]):
            assert form not in scrubbed


def test_basic_credentials_of_a_pair_are_scrubbed_and_the_username_alone_is_not() -> None:
    scrubber = Scrubber(pairs=[("sandbox", "sandbox-secret")])
    encoded = base64.b64encode(b"sandbox:sandbox-secret").decode()
    assert scrubber.text(f"Basic {encoded}") == f"Basic {PLACEHOLDER}"
    assert scrubber.text("/_sandbox/orders") == "/_sandbox/orders"


def test_credential_headers_keep_their_scheme_and_teach_their_value() -> None:
    scrubber = Scrubber(headers=["X-Org"])
    assert scrubber.header("Authorization", "Token abcdef123456") == f"Token {PLACEHOLDER}"
    assert scrubber.header("x-org", "org-42-secret") == PLACEHOLDER
    assert scrubber.header("cookie", "session=xyz") == PLACEHOLDER
    assert scrubber.header("accept", "application/json") == "application/json"
    # the values seen in credential headers are secrets from now on, wherever they appear
    assert scrubber.text('{"org": "org-42-secret", "t": "abcdef123456"}') == f'{{"org": "{PLACEHOLDER}", "t": "{PLACEHOLDER}"}}'
    encoded = base64.b64encode(b"bot:hunter2-long").decode()
    scrubber.header("Authorization", f"Basic {encoded}")
    assert scrubber.text("password hunter2-long") == f"password {PLACEHOLDER}"


def test_credential_parameters_signed_urls_and_loopback_ports() -> None:
    scrubber = Scrubber(params=["auth"])
    url = "http://127.0.0.1:54321/storage/a.stl?expires=1700000000&signature=abc123&name=a.stl"
    assert scrubber.url(url) == f"http://127.0.0.1/storage/a.stl?expires={PLACEHOLDER}&signature={PLACEHOLDER}&name=a.stl"
    amazon = "https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F2024&X-Amz-Date=20240101T000000Z&X-Amz-Signature=ff00&expires=3"
    assert scrubber.url(amazon) == (
        f"https://bucket.s3.amazonaws.com/k?X-Amz-Credential={PLACEHOLDER}&X-Amz-Date={PLACEHOLDER}&X-Amz-Signature={PLACEHOLDER}&expires={PLACEHOLDER}"
    )
    assert scrubber.url("https://api.example.com:8443/x?auth=s3&token=t&page=2&expires=3") == (
        f"https://api.example.com:8443/x?auth={PLACEHOLDER}&token={PLACEHOLDER}&page=2&expires=3"
    )
    assert scrubber.url("https://user:pw@example.com/x") == f"https://{PLACEHOLDER}@example.com/x"
    # URLs inside text (an answer's JSON) too
    assert scrubber.text(json.dumps({"upload": url})) == json.dumps({"upload": scrubber.url(url)})


def test_tokens_in_answers_are_replaced_and_learned() -> None:
    scrubber = Scrubber()
    data = {"access_token": "eyJhbGciOi.payload.sig", "user": {"apiKey": "ak_live_123456", "name": "Bot"}, "count": 3, "password": ""}
    assert scrubber.data(data) == {"access_token": PLACEHOLDER, "user": {"apiKey": PLACEHOLDER, "name": "Bot"}, "count": 3, "password": ""}
    assert scrubber.text("GET /items?session=eyJhbGciOi.payload.sig") == f"GET /items?session={PLACEHOLDER}"


def test_scrubbing_twice_changes_nothing_more() -> None:
    scrubber = Scrubber(["hunter2-long"])
    text = "see http://localhost:8000/a?token=hunter2-long&b=1 and hunter2-long, then https://x.test/?sig=1&page=2"
    once = scrubber.text(text)
    assert scrubber.text(once) == once
    assert once == f"see http://localhost/a?token={PLACEHOLDER}&b=1 and {PLACEHOLDER}, then https://x.test/?sig={PLACEHOLDER}&page=2"


def test_short_values_are_not_taken_for_secrets() -> None:
    scrubber = Scrubber(["abc", ""])
    assert scrubber.text("abc abc") == "abc abc"


def test_scrub_options_turn_a_profiles_credentials_into_record_arguments(tmp_path: Path) -> None:
    basic = scrub_options({"username": "sandbox", "secret": "sandbox-secret"})
    assert basic == {"secrets": ["sandbox-secret"], "pairs": [("sandbox", "sandbox-secret")], "secret_headers": [], "secret_params": []}
    header = scrub_options({"secret": "org-1234"}, auth_header="organization_id")
    assert header["secrets"] == ["org-1234"] and header["secret_headers"] == ["organization_id"]
    query = scrub_options({"secret": "k-5678"}, auth_param="shop_pass")
    assert query["secret_params"] == ["shop_pass"]
    assert Scrubber(params=query["secret_params"]).url("https://x.test/a?shop_pass=abc&q=1") == f"https://x.test/a?shop_pass={PLACEHOLDER}&q=1"
    assert cassette_path(tmp_path, "ctq-bracket") == tmp_path / "cassettes" / "ctq-bracket.yaml"
