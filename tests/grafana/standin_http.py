"""The HTTP side of the Grafana stand-in: request handling, auth and injected faults.

:class:`Handler` counts every request on its ``standin`` (a ``standin.GrafanaStandIn``),
applies a fault taken from it if one matches, checks the credentials and the org, and
answers with what the stand-in's routes return (a :class:`Reply` raised by a route is
an error answer). Fault kinds: ``503``/``429`` answers, ``reset`` (the connection is cut
after half the body, nothing applied), ``reset-after-apply`` (applied, answer lost) and
``slow`` (the answer comes after the stand-in's ``slow_seconds``).
"""

from __future__ import annotations

import json
import socket
import struct
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from standin import GrafanaStandIn

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
FAULT_KINDS = frozenset({"503", "429", "reset", "reset-after-apply", "slow"})


@dataclass
class Fault:
    kind: str
    remaining: int
    method: str | None
    path: str | None

    def matches(self, method: str, path: str) -> bool:
        return (self.method in (None, method)) and (self.path is None or path.startswith(self.path))


@dataclass
class Created:
    """A route's answer with 201 Created instead of 200."""

    body: Any


@dataclass
class RawJson:
    """A route's answer already serialised as JSON text (sent as it is)."""

    text: str


class Reply(Exception):
    """Raised inside a route to answer with ``status`` and a JSON ``body``."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def forbidden_status(path: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f"user is not allowed to write {path}",
        "reason": "Forbidden",
        "code": 403,
    }


class Handler(BaseHTTPRequestHandler):
    """One request: count it, maybe inject a fault, check auth, route it to the stand-in."""

    standin: GrafanaStandIn
    # Answers go out as two sends (headers, then body); with Nagle's algorithm on, a
    # keep-alive client waits for the delayed ACK, 40 ms a request. Go's HTTP server,
    # and so Grafana, sets TCP_NODELAY.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        standin = self.standin
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        with standin._lock:
            standin.requests[(method, path)] += 1
        fault = standin.take_fault(method, path)
        length = int(self.headers.get("Content-Length") or 0)
        if fault == "reset":
            self.rfile.read(length // 2)
            self._reset()
            return
        body = self.rfile.read(length) if length else b""
        if fault in ("503", "429"):
            self._send(int(fault), {"message": "injected fault"})
            return
        if fault == "slow":
            standin.wait(standin.slow_seconds)
        status, payload = self._answer(method, path, parse_qs(parts.query), body)
        if fault == "reset-after-apply":
            self._reset()
            return
        self._send(status, payload)

    def _answer(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any]:
        standin = self.standin
        if path == "/api/health":
            return 200, {
                "database": "ok",
                "version": standin.mode.health_version,
                "commit": "standin",
            }
        role = standin.role_for(self.headers.get("Authorization"))
        org = self.headers.get("X-Grafana-Org-Id")
        if org is not None:
            standin.org_headers.append(org)
        if role is None or (
            org is not None and (not org.isdigit() or int(org) not in standin.orgs)
        ):
            return 401, {"message": "Unauthorized"}
        if method in WRITE_METHODS and role == "Viewer":
            if path.startswith("/apis/"):
                return 403, forbidden_status(path)
            return 403, {"message": "Access denied to this resource"}
        try:
            answer = standin.route(method, path, query, body)
        except Reply as reply:
            return reply.status, reply.body
        if isinstance(answer, Created):
            return 201, answer.body
        return 200, answer

    def _send(self, status: int, payload: Any) -> None:
        text = isinstance(payload, str)
        if isinstance(payload, RawJson):
            data = payload.text.encode("utf-8")
        else:
            data = (payload if text else json.dumps(payload)).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if text else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def _reset(self) -> None:
        """Cut the connection with a TCP reset, without an answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
