"""The team console in a browser, through textual-serve: a headless Chromium opens the seat's
link and the console joins the drill as that seat (skipped where no Chromium is installed)."""

import asyncio
import base64
import json
import re
import shutil
import subprocess

import aiohttp
import pytest

from drill.model.load import load_scenario
from tests.bridge.helpers import served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


async def devtools(process: subprocess.Popen) -> str:
    """The browser's DevTools address, as it prints it when it starts."""
    assert process.stderr is not None
    for _ in range(200):
        line = await asyncio.to_thread(process.stderr.readline)
        if m := re.search(r"DevTools listening on (ws://\S+)", line):
            return m.group(1)
    raise AssertionError("the browser did not start")


@pytest.mark.skipif(CHROMIUM is None, reason="no headless browser installed")
def test_a_seat_link_opens_the_team_console_in_a_browser(tmp_path):
    scenario = load_scenario(None)
    with served(scenario, tmp_path / "d.jsonl", running=True, speed=600) as s:
        link = f"{s.url}/console?token={s.token('hoan-kiem-it')}&name=Lan"
        browser = subprocess.Popen(
            [
                CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,800", "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip

        async def main():
            endpoint = await devtools(browser)
            port = re.search(r":(\d+)/", endpoint).group(1)
            async with aiohttp.ClientSession() as http:
                pages = await (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
                page = next(p for p in pages if p["type"] == "page")
                async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as cdp:
                    await cdp.send_json({"id": 1, "method": "Page.navigate", "params": {"url": link}})
                    joined = False
                    for _ in range(300):  # the console's process starts and joins: up to 30 s
                        joined = any(
                            c.seat.name == "hoan-kiem-it" and c.who == "Lan" for c in s.server.consoles
                        )
                        if joined:
                            break
                        await asyncio.sleep(0.1)
                    await asyncio.sleep(2)  # let it draw, for the picture
                    await cdp.send_json(
                        {"id": 2, "method": "Page.captureScreenshot", "params": {"format": "png"}}
                    )
                    picture = b""
                    while not picture:
                        reply = json.loads((await cdp.receive(timeout=20)).data)
                        if reply.get("id") == 2:
                            picture = base64.b64decode(reply["result"]["data"])
            return joined, picture

        try:
            joined, picture = asyncio.run(main())
        finally:
            browser.terminate()
            browser.wait(10)
        (tmp_path / "console.png").write_bytes(picture)
        assert joined
        assert picture.startswith(b"\x89PNG")


def test_a_wrong_token_opens_no_page(tmp_path):
    with served(load_scenario(None), tmp_path / "d.jsonl") as s:

        async def main():
            async with aiohttp.ClientSession() as http:
                bad = await http.get(f"{s.url}/console?token=guess")
                ticket = await http.get(f"{s.url}/console/ws/made-up-ticket")
                return bad.status, ticket.status

        assert asyncio.run(main()) == (403, 403)
