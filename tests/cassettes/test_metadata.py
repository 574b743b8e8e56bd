"""Cassette metadata: values a recording keeps beside its interactions (a run's outcome), scrubbed like an answer."""

from __future__ import annotations

from pathlib import Path

import httpx

from orderspec.cassettes import Sessions, record, replay

from .conftest import Api


def test_metadata_is_written_scrubbed_and_read_back(api: Api, tmp_path: Path) -> None:
    cassette = tmp_path / "session.yaml"
    with httpx.HTTPTransport() as network, record(cassette, network, secrets=["secret-value-42"]) as transport:
        with httpx.Client(transport=transport) as client:
            client.get(f"{api.base_url}/items")
        transport.metadata["outcome"] = {
            "order_number": "A-1",
            "link": f"{api.base_url}/orders/1?token=abcdef123456",
            "note": "paid with secret-value-42",
            "api_key": "k-123456789",
        }
    text = cassette.read_text(encoding="utf-8")
    assert "secret-value-42" not in text and "abcdef123456" not in text and "k-123456789" not in text
    assert text.index("interactions:") < text.index("metadata:")
    with replay(cassette) as replayed:
        assert replayed.metadata == {
            "outcome": {
                "order_number": "A-1",
                "link": "http://127.0.0.1/orders/1?token=<scrubbed>",
                "note": "paid with <scrubbed>",
                "api_key": "<scrubbed>",
            }
        }


def test_a_cassette_without_metadata_has_none(api: Api, tmp_path: Path) -> None:
    cassette = tmp_path / "session.yaml"
    with httpx.HTTPTransport() as network, record(cassette, network) as transport, httpx.Client(transport=transport) as client:
        client.get(f"{api.base_url}/items")
    assert "metadata" not in cassette.read_text(encoding="utf-8")
    with replay(cassette) as replayed:
        assert replayed.metadata == {}


def test_sessions_give_the_metadata_of_each_cassette(api: Api, tmp_path: Path) -> None:
    cassette = tmp_path / "one.yaml"
    with Sessions("record") as sessions:
        assert sessions.metadata(cassette) is None
        with sessions.open(cassette, inner=httpx.HTTPTransport) as transport, httpx.Client(transport=transport) as client:
            client.get(f"{api.base_url}/items")
        metadata = sessions.metadata(cassette)
        assert metadata == {}
        metadata["outcome"] = {"order_number": "7"}
    with Sessions("replay") as sessions:
        sessions.open(cassette)
        assert sessions.metadata(cassette) == {"outcome": {"order_number": "7"}}
