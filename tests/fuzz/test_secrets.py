"""Orders against a hostile server with random credentials: none leaks, in any spelling, anywhere it could land."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .properties import Order, check_secret_run, leaks
from .strategies import hostile_orders


def test_random_credentials_never_leak(hostile, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("secrets")

    @settings(settings.get_profile("fuzz-tests"), max_examples=25)
    @given(fields=hostile_orders(hostile.base_url))
    def holds(fields: dict[str, str]) -> None:
        outcome = check_secret_run(Order(**fields), folder / "run", hostile.base_url, hostile.seen)
        assert outcome.ok, (outcome.verdict.value, outcome.detail)

    holds()


@pytest.mark.parametrize("auth", ["basic", "bearer", "token", "header", "query"])
def test_the_credential_reaches_its_own_origin(hostile, tmp_path, auth: str) -> None:
    """The check is not vacuous: the server did receive the credential, and a leak would be found."""
    order = Order(auth=auth, user="user-name-1234", secret="s3cr3t-value-42", place="/echo/500")
    before = len(hostile.seen)
    assert check_secret_run(order, tmp_path, hostile.base_url, hostile.seen).ok
    sent = " ".join(f"{request.path} {request.headers}" for request in hostile.seen[before:])
    assert leaks(sent, order)


@given(secret=st.sampled_from(["s3cr3t-value-42", 'pa"ss\\wörd +/=&<x>']))
@settings(settings.get_profile("fuzz-tests"), max_examples=4)
def test_every_spelling_is_found(secret: str) -> None:
    import base64
    import json
    from urllib.parse import quote

    order = Order(auth="basic", user="user-name-1234", secret=secret)
    for text in (secret, quote(secret, safe=""), json.dumps(secret), base64.b64encode(f"user-name-1234:{secret}".encode()).decode()):
        assert leaks(f"x {text} y", order), text
    assert not leaks("nothing here", order)
