"""A --prometheus URL that is really a Grafana is named as such, not as refused credentials.

A loopback server answers every request as Grafana answers ``/api/v1/query``:
its HTML login page, or its JSON errors (401 without a challenge, 404).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.validate.conftest import loopback_server

LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Grafana</title></head><body>Log in</body></html>"
GRAFANA_401 = json.dumps({"message": "Unauthorized", "messageId": "auth.unauthorized"})
GRAFANA_404 = json.dumps({"message": "Not found"})

#: name -> (status, content type, body, extra headers)
ANSWERS: dict[str, tuple[int, str, str, dict[str, str]]] = {
    "login-page": (200, "text/html; charset=UTF-8", LOGIN_PAGE, {}),
    "grafana-401": (401, "application/json", GRAFANA_401, {}),
    "grafana-404": (404, "application/json", GRAFANA_404, {}),
    "proxy-challenge": (401, "text/html", "<html>401</html>", {"WWW-Authenticate": "Basic"}),
}


class _Answer(BaseHTTPRequestHandler):
    answer = ANSWERS["login-page"]

    def do_GET(self) -> None:
        status, content_type, body, headers = self.answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def answering(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Handler", (_Answer,), {"answer": ANSWERS[request.param]})
    with loopback_server(handler) as url:
        yield url


def _validate(run_cli: Any, url: str, tmp_path: Path) -> Any:
    (tmp_path / "dashboards").mkdir()
    return run_cli("validate", "--prometheus", url, "--dashboards", str(tmp_path / "dashboards"))


@pytest.mark.parametrize(
    ("answering", "got"),
    [
        ("login-page", "HTTP 200 with HTML (content-type text/html)"),
        ("grafana-401", 'HTTP 401 with a Grafana-style JSON error ({"message": ...})'),
        ("grafana-404", 'HTTP 404 with a Grafana-style JSON error ({"message": ...})'),
    ],
    indirect=["answering"],
)
def test_a_grafana_url_is_named_as_not_prometheus(
    run_cli: Any, answering: str, got: str, tmp_path: Path
) -> None:
    result = _validate(run_cli, answering, tmp_path)
    assert result.exit_code == 2
    [line] = result.err.strip().splitlines()
    assert line == (
        f"meshdash: error: {answering} does not answer like a Prometheus API "
        f"(/api/v1/query got {got}); give the Prometheus API root instead, e.g. "
        "http://host:9090 (--prometheus URL)"
    )
    assert "credentials" not in line


@pytest.mark.parametrize("answering", ["proxy-challenge"], indirect=True)
def test_an_auth_challenge_still_blames_the_credentials(
    run_cli: Any, answering: str, tmp_path: Path
) -> None:
    result = _validate(run_cli, answering, tmp_path)
    assert result.exit_code == 2
    assert f"Prometheus at {answering} refused the credentials (HTTP 401)" in result.err
