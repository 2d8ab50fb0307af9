"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

Chromium reads JSON commands from fd 3 and writes answers and events to fd 4,
each message ending in a NUL byte. :class:`Browser` opens a page, waits for
its load event and reports the console errors, uncaught exceptions, failed
loads and each image's state: what a reviewer would see go wrong.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium")


@dataclass
class PageReport:
    """What opening one page showed."""

    errors: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)

    @property
    def broken_images(self) -> list[dict[str, Any]]:
        return [i for i in self.images if not (i["complete"] and i["width"] > 0)]


_IMAGES = (
    "JSON.stringify(Array.from(document.images).map(i => "
    "({src: i.src.slice(0, 80), complete: i.complete, width: i.naturalWidth})))"
)


class Browser:
    """One headless Chromium; stop it with :meth:`close` (or ``with``)."""

    def __init__(self, timeout: float = 60.0) -> None:
        assert CHROMIUM is not None
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="meshdash-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}", "about:blank"]  # fmt: skip
        # bash puts the pipe ends on fds 3 and 4, where Chromium expects them.
        command = f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}'
        self._process = subprocess.Popen(
            ["bash", "-c", command, "chromium", *args],
            pass_fds=(to_browser_r, from_browser_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self._profile, ignore_errors=True)

    def open(self, path: Path) -> PageReport:
        """Load ``path`` in a new tab; report errors and images once it has loaded."""
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page"):
            self._call(f"{domain}.enable", session=session)
        self._events.clear()
        self._call("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        self._wait_event("Page.loadEventFired", session)
        answer = self._call(
            "Runtime.evaluate", {"expression": _IMAGES, "returnByValue": True}, session=session
        )
        report = PageReport(images=json.loads(answer["result"]["value"]))
        report.errors = [e for e in map(_error_text, self._events) if e]
        self._call("Target.closeTarget", {"targetId": target})
        return report

    def _call(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> dict[str, Any]:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result") or {})
            self._events.append(message)

    def _wait_event(self, method: str, session: str) -> None:
        deadline = time.monotonic() + self.timeout
        if any(e.get("method") == method for e in self._events):
            return
        while True:
            message = self._receive(deadline)
            self._events.append(message)
            if message.get("method") == method and message.get("sessionId") == session:
                return

    def _send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(0.0, left))
            if not ready:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 65536)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(raw))


def _error_text(event: dict[str, Any]) -> str | None:
    """The text of a console error, an uncaught exception or an error log entry."""
    method, params = event.get("method"), event.get("params") or {}
    if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
        return "console: " + " ".join(
            str(a.get("value", a.get("description"))) for a in params.get("args", [])
        )
    if method == "Runtime.exceptionThrown":
        return "exception: " + str(params.get("exceptionDetails", {}).get("text"))
    if method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        entry = params["entry"]
        return f"log: {entry.get('text')} {entry.get('url', '')}".strip()
    return None
