"""With a certificate, the session is served over TLS (https, wss), and a console that trusts the
certificate joins; one that does not, does not."""

import asyncio
import shutil
import ssl
import subprocess

import pytest

from drill.bridge.client import SeatClient
from tests.bridge.city_session import serve

OPENSSL = shutil.which("openssl")


@pytest.mark.skipif(OPENSSL is None, reason="no openssl to make a test certificate")
def test_a_console_joins_over_tls_and_trusts_only_the_servers_certificate(tmp_path):
    cert, key = tmp_path / "drill.crt", tmp_path / "drill.key"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    served = serve(["--certfile", str(cert), "--keyfile", str(key)], tmp_path / "d.jsonl")
    try:
        assert served.url.startswith("https://127.0.0.1:")

        async def main():
            trusted = SeatClient(
                served.url,
                served.tokens["hoan-kiem-it"],
                ssl_context=ssl.create_default_context(cafile=str(cert)),
            )
            task = asyncio.create_task(trusted.run())
            await asyncio.wait_for(trusted.connected.wait(), 20)
            answer = await trusted.submit({"action": "isolate", "target": "hoan-kiem-ws"})
            await trusted.close()
            await task
            stranger = SeatClient(served.url, served.tokens["hoan-kiem-it"])  # the system's authorities only
            task = asyncio.create_task(stranger.run())
            await asyncio.sleep(1.5)
            joined = stranger.connected.is_set()
            await stranger.close()
            await task
            return answer, joined

        answer, stranger_joined = asyncio.run(main())
    finally:
        served.stop()
    assert answer["status"] == "applied"
    assert not stranger_joined
