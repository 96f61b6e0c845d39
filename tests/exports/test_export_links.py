"""Signed download links, served by the real aiohttp routes on aiohttp's test server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from app.settings import load_settings
from exports.links import LinkRefused, sign, verify
from service.web.exports import add_export_routes

SECRET = "s3cret-for-tests-0123456789abcdef"


def test_signature_binds_name_and_expiry() -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    link = sign(SECRET, "report-1.xlsx", timedelta(hours=24), now)
    expires = str(int(link.expires_at.timestamp()))
    verify(SECRET, "report-1.xlsx", expires, link.signature, now)
    with pytest.raises(LinkRefused):
        verify(SECRET, "report-2.xlsx", expires, link.signature, now)
    with pytest.raises(LinkRefused):
        verify(SECRET, "report-1.xlsx", str(int(expires) + 3600), link.signature, now)
    with pytest.raises(LinkRefused):
        verify("another-secret", "report-1.xlsx", expires, link.signature, now)
    with pytest.raises(LinkRefused):
        verify(SECRET, "report-1.xlsx", expires, link.signature, now + timedelta(hours=25))
    with pytest.raises(ValueError):
        sign(SECRET, "../etc/passwd", timedelta(hours=1))


def test_links_need_a_secret() -> None:
    from app.settings import SettingsError

    with pytest.raises(SettingsError) as raised:
        load_settings(bot_token="1:x", public_base_url="https://bot.example")
    assert raised.value.key == "settings.error.link_secret_needed"


@pytest.fixture
async def client(tmp_path: Path):
    settings = load_settings(
        bot_token="1:x", export_link_secret=SECRET, export_dir=tmp_path, public_base_url="https://x"
    )
    (tmp_path / "report-1.xlsx").write_bytes(b"PK-workbook-bytes")
    (tmp_path / "report-2.xlsx").write_bytes(b"PK-other")
    app = web.Application()
    add_export_routes(app, settings)
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_download_with_a_valid_link(client: TestClient) -> None:
    link = sign(SECRET, "report-1.xlsx", timedelta(hours=24))
    response = await client.get(link.path())
    assert response.status == 200
    assert await response.read() == b"PK-workbook-bytes"
    assert "report-1.xlsx" in response.headers["Content-Disposition"]


async def test_refused_links(client: TestClient) -> None:
    good = sign(SECRET, "report-1.xlsx", timedelta(hours=24))
    expires = int(good.expires_at.timestamp())
    other_file = f"/exports/report-2.xlsx?expires={expires}&sig={good.signature}"
    stretched = f"/exports/report-1.xlsx?expires={expires + 1}&sig={good.signature}"
    expired = sign(SECRET, "report-1.xlsx", timedelta(hours=-1))
    for path in (other_file, stretched, expired.path()):
        response = await client.get(path)
        assert response.status == 403, path
        assert b"PK" not in await response.read()
    missing = sign(SECRET, "gone.xlsx", timedelta(hours=1))
    assert (await client.get(missing.path())).status == 404
    assert (await client.get("/exports/..%2Fsecret.xlsx?expires=1&sig=x")).status in (403, 404)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?sig=abc",
        "?expires=soon&sig=abc",
        "?expires=-5&sig=abc",
        "?expires=1e9&sig=abc",
        "?expires=99999999999999999999&sig=abc",
        "?expires=1700000000",
    ],
)
async def test_a_malformed_link_is_400(client: TestClient, query: str) -> None:
    response = await client.get("/exports/report-1.xlsx" + query)
    assert response.status == 400
    assert b"PK" not in await response.read()


def test_a_short_link_secret_stops_start_up() -> None:
    from app.settings import SettingsError

    with pytest.raises(SettingsError) as raised:
        load_settings(bot_token="1:x", export_link_secret="short-secret")
    assert (raised.value.key, raised.value.rule) == (
        "settings.error.secret",
        "settings.rule.link_secret",
    )
    assert raised.value.fields["name"] == "EXPORT_LINK_SECRET"
    with pytest.raises(SettingsError) as raised:
        load_settings(bot_token="1:x", export_link_secret="", public_base_url="https://x")
    assert raised.value.key == "settings.error.link_secret_needed"
