"""MAX's API is signed by the Russian Ministry of Digital Development's root: the client
trusts the bundle maxapi ships, or exactly the bundle MAX_CA_FILE names (an operator's
store with that root installed). Tested against the stand-in served over https with a
certificate authority made for the test."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest
from maxapi.client.ssl import RUSSIAN_TRUSTED_CA_BUNDLE

from bot.max.client import MaxClient, Transient, create_bot
from bot.max.pace import MemoryTurns, Pace
from tests.support.max_harness import max_settings
from tests.support.maxapi import MaxAPIStandIn


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture
def authority(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    """A root of our own and a certificate for 127.0.0.1 it signed."""
    ca_key, ca, key, request, cert = (
        tmp_path / name for name in ("ca.key", "ca.pem", "s.key", "s.csr", "s.pem")
    )
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key),
        "-out", str(ca), "-days", "2", "-subj", "/CN=Test Root CA",
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(request),
        "-subj", "/CN=127.0.0.1",
    )  # fmt: skip
    extensions = tmp_path / "san.cnf"
    extensions.write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl(
        "x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(extensions),
    )  # fmt: skip
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    return ca, served


def _client(standin: MaxAPIStandIn, **overrides: object) -> MaxClient:
    settings = max_settings(standin, "sqlite+aiosqlite:///unused.db", **overrides)
    return MaxClient(create_bot(settings), Pace(MemoryTurns()))


async def test_max_ca_file_is_the_trusted_root(authority: tuple[Path, ssl.SSLContext]) -> None:
    ca, served = authority
    async with MaxAPIStandIn(tls=served) as standin:
        assert standin.base_url.startswith("https://")
        trusting = _client(standin, max_ca_file=str(ca))
        try:
            assert await trusting.username() == standin.username
        finally:
            await trusting.close()
        # Without the setting only maxapi's bundle (Минцифры's root) is trusted: refused.
        default = _client(standin)
        try:
            with pytest.raises(Transient, match=r"(?i)certificate"):
                await default.username()
        finally:
            await default.close()
    assert [call.path for call in standin.log] == ["/me"]


def test_the_library_ships_the_ministry_root() -> None:
    found = subprocess.run(
        ["openssl", "crl2pkcs7", "-nocrl", "-certfile", str(RUSSIAN_TRUSTED_CA_BUNDLE)],
        check=True,
        capture_output=True,
    )
    subjects = subprocess.run(
        ["openssl", "pkcs7", "-print_certs", "-noout"],
        input=found.stdout,
        check=True,
        capture_output=True,
    ).stdout.decode()
    assert "Russian Trusted Root CA" in subjects
    assert "Ministry of Digital Development" in subjects
