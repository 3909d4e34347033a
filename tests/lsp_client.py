"""A small Language Server Protocol client: JSON-RPC over a server's stdin and stdout, enough to
open YAML files in the real yaml-language-server and read the problems it publishes."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


class LanguageServer:
    """One server process; ``settings`` are what an editor's settings.json would hold."""

    def __init__(self, command: list[str], settings: dict[str, Any]) -> None:
        self.settings = settings
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self._published: dict[str, int] = {}  # how many times each file's problems were published
        self._responses: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 1
        self._version = 0
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": {
                    "workspace": {"configuration": True},
                    "textDocument": {"publishDiagnostics": {}},
                },
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        with self._lock:
            assert self.process.stdin is not None
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if not line.strip():
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            method = message.get("method")
            if "id" in message and method:  # the server asks: its settings, mostly
                result = None
                if method == "workspace/configuration":
                    result = [self.settings.get(item.get("section")) for item in message["params"]["items"]]
                self._send({"id": message["id"], "result": result})
            elif method == "textDocument/publishDiagnostics":
                uri = message["params"]["uri"]
                self.diagnostics[uri] = message["params"]["diagnostics"]
                self._published[uri] = self._published.get(uri, 0) + 1
            elif "id" in message:
                self._responses.put(message)

    def request(self, method: str, params: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        ident = self._next_id
        self._next_id += 1
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._responses.get(timeout=max(0.1, deadline - time.monotonic()))
            if message.get("id") == ident:
                return message

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def problems(self, path: Path, text: str | None = None, timeout: float = 30) -> list[dict[str, Any]]:
        """Open ``path`` (with ``text``, or its content) and return what the server reports on it."""
        uri = path.resolve().as_uri()
        # a new version each time: the server keeps what it parsed of a file by its version
        self._version += 1
        text = text or path.read_text("utf-8")
        document = {"uri": uri, "languageId": "yaml", "version": self._version, "text": text}
        published = self._published.get(uri, 0)
        self.notify("textDocument/didOpen", {"textDocument": document})
        self._wait(uri, published, timeout)
        found = self.diagnostics[uri]
        # closing clears the file's problems (one more publication): wait for it, so that it is
        # not taken for the answer when the file is opened again
        published = self._published[uri]
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        self._wait(uri, published, timeout)
        return found

    def _wait(self, uri: str, published: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._published.get(uri, 0) <= published:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no diagnostics for {uri} in {timeout} s")
            time.sleep(0.02)

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=10)
            self.notify("exit", {})
            self.process.wait(timeout=10)
        except Exception:  # a server that does not stop is stopped
            self.process.kill()
            self.process.wait()
