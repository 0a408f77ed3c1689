"""Editors: the real pylsp (python-lsp-server) with its flake8 plugin, over stdio.

A small LSP client speaks JSON-RPC with Content-Length framing: initialize,
initialized, workspace/didChangeConfiguration (flake8 on, pycodestyle, pyflakes
and mccabe off), textDocument/didOpen of a buggy file, then waits for
textDocument/publishDiagnostics.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

SOURCE = '''\
import asyncio


async def refresh():
    asyncio.run(fetch())


async def fetch():
    return 1
'''
TIMEOUT = 120.0


def _need_pylsp() -> None:
    try:
        import pylsp  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("python-lsp-server is missing: install the 'test' extra")
        pytest.skip("python-lsp-server is not installed (the 'test' extra)")


class LspClient:
    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pylsp"],
            cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        self.stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line)

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return  # server gone
                header = header.strip()
                if not header:
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                continue
            self.messages.put(json.loads(stream.read(length).decode("utf-8")))

    def _send(self, payload: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **payload}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self._send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)

    def notify(self, method: str, params: dict) -> None:
        self._send({"method": method, "params": params})

    def wait(self, predicate, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no expected message from pylsp within {timeout}s; "
                                     f"stderr: {b''.join(self.stderr)[-2000:]!r}")
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if "method" in message and "id" in message:
                # a server->client request (e.g. workDoneProgress/create): answer it
                self._send({"id": message["id"], "result": None})
            if predicate(message):
                return message

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", {})
                self.notify("exit", {})
                self.proc.wait(timeout=10)
        except Exception:
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except Exception:
                    pass


def _flake8_executable() -> str:
    candidate = Path(sys.executable).with_name("flake8")
    return str(candidate) if candidate.exists() else "flake8"


@pytest.fixture
def client(tmp_path):
    _need_pylsp()
    lsp = LspClient(tmp_path)
    try:
        yield lsp
    finally:
        lsp.close()


def test_pylsp_publishes_abr_diagnostics(client, tmp_path):
    path = tmp_path / "service.py"
    path.write_text(SOURCE, encoding="utf-8")
    uri = path.as_uri()
    settings = {"pylsp": {"plugins": {
        "flake8": {"enabled": True, "executable": _flake8_executable(), "select": ["ABR"]},
        "pycodestyle": {"enabled": False},
        "pyflakes": {"enabled": False},
        "mccabe": {"enabled": False},
    }}}

    reply = client.request("initialize", {
        "processId": os.getpid(),
        "rootUri": tmp_path.as_uri(),
        "capabilities": {},
        "initializationOptions": settings["pylsp"],
    })
    assert "capabilities" in reply.get("result", {}), reply
    client.notify("initialized", {})
    client.notify("workspace/didChangeConfiguration", {"settings": settings})
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": SOURCE,
    }})

    def abr_diagnostics(message: dict) -> bool:
        if message.get("method") != "textDocument/publishDiagnostics":
            return False
        params = message["params"]
        return params["uri"] == uri and any(
            str(d.get("code", "")).startswith("ABR") for d in params["diagnostics"])

    message = client.wait(abr_diagnostics)
    diagnostics = [d for d in message["params"]["diagnostics"] if str(d.get("code")).startswith("ABR")]
    assert [d["code"] for d in diagnostics] == ["ABR105"], diagnostics
    [diag] = diagnostics
    assert diag["source"] == "flake8"
    # flake8 reports 5:5 (1-based); LSP positions are 0-based
    assert diag["range"]["start"] == {"line": 4, "character": 4}, diag
    assert diag["range"]["end"]["line"] == 4
    assert diag["message"].startswith("ABR105 `asyncio.run()` in async 'refresh' raises inside the running event loop"), diag
    assert diag["message"].endswith("docs/rules/ABR105.md)"), diag
    # nothing from the linters switched off
    others = [d for d in message["params"]["diagnostics"] if not str(d.get("code")).startswith("ABR")]
    assert others == [], others
