"""The HTTP foundation: URL scrubbing, and both clients' logic through the transport seam.

No socket is opened here: each client gets a ``send`` function that records the
prepared request and answers from a script, as ``generator.http.Send`` allows.
"""

from __future__ import annotations

import ast
import base64
import email.utils
import json
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from generator import http
from generator.errors import (
    ConfigError,
    GrafanaConflict,
    GrafanaError,
    GrafanaUnreachable,
    PrometheusAuthError,
    PrometheusError,
    PrometheusUnreachable,
)
from generator.grafana.client import GrafanaClient
from generator.grafana.settings import GRAFANA_RETRY, Credentials, GrafanaSettings
from generator.validate import Connection, PrometheusClient, connection_from
from generator.validate.client import RETRY

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
Answer = requests.Response | BaseException


def answer(status: int, body: object, content_type: str = "application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = content_type
    return response


class Script:
    """A fake transport: records each prepared request, replies with the next answer."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.sent: list[requests.PreparedRequest] = []
        self.timeouts: list[http.Timeout] = []

    def __call__(
        self, request: requests.PreparedRequest, timeout: http.Timeout
    ) -> requests.Response:
        self.sent.append(request)
        self.timeouts.append(timeout)
        reply = self.answers.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


#: Grafana's retry rules with no waiting, so a scripted retry costs no time
GRAFANA_NO_WAIT = replace(GRAFANA_RETRY, backoff_factor=0.0, backoff_jitter=0.0)


def grafana(send: Callable[..., requests.Response], **overrides: object) -> GrafanaClient:
    values: dict[str, object] = {
        "url": "https://grafana.example",
        "credentials": Credentials(token=http.Secret("tok-grafana")),
        "org_id": 3,
        "read_timeout": 7.0,
        "retry": GRAFANA_NO_WAIT,
    }
    values.update(overrides)
    return GrafanaClient(GrafanaSettings(**values), send=send)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://me:pw@prom.example:9090/api/prom/", "https://prom.example:9090/api/prom"),
        ("http://a:b@h:1?token=x#frag", "http://h:1"),
        ("http://user@p@ss@host/path", "http://host/path"),
        ("https://grafana.example/", "https://grafana.example"),
    ],
)
def test_scrub_url_drops_credentials_query_and_trailing_slash(url: str, shown: str) -> None:
    assert http.scrub_url(url) == shown


def test_grafana_save_sends_auth_org_and_body_through_the_seam() -> None:
    script = Script(answer(200, {"status": "success", "version": 2}))
    with grafana(script) as client:
        saved = client.save_dashboard({"uid": "svc", "version": 1}, folder_uid="f", message="m")
    [sent] = script.sent
    assert (sent.method, sent.url) == ("POST", "https://grafana.example/api/dashboards/db")
    assert sent.headers["Authorization"] == "Bearer tok-grafana"
    assert sent.headers["X-Grafana-Org-Id"] == "3"
    assert json.loads(sent.body or b"{}") == {
        "dashboard": {"uid": "svc", "version": 1},
        "folderUid": "f",
        "overwrite": False,
        "message": "m",
    }
    assert script.timeouts == [(5.0, 7.0)] and saved["version"] == 2


def test_grafana_412_version_mismatch_is_a_conflict_with_the_rerun_hint() -> None:
    script = Script(answer(412, {"status": "version-mismatch", "message": "changed"}))
    with grafana(script) as client, pytest.raises(GrafanaConflict) as caught:
        client.save_dashboard({"uid": "svc"}, folder_uid="", message="m")
    assert str(caught.value) == (
        "Grafana refused dashboard 'svc' (POST https://grafana.example/api/dashboards/db: "
        "412 version-mismatch): it was changed in Grafana since meshdash read it; rerun "
        "`meshdash push` to plan against the new version"
    )


def test_grafana_whole_run_read_gets_more_rounds_after_a_5xx() -> None:
    script = Script(answer(502, {"message": "bad gateway"}), answer(200, {"database": "ok"}))
    with grafana(script, retry=replace(GRAFANA_NO_WAIT, retries=0)) as client:
        assert client.health() == {"database": "ok"}
    assert [r.url for r in script.sent] == ["https://grafana.example/api/health"] * 2


def test_grafana_certificate_failure_is_not_retried_and_names_the_tls_setting() -> None:
    script = Script(requests.exceptions.SSLError(ssl.SSLCertVerificationError(1, "self-signed")))
    with grafana(script) as client, pytest.raises(GrafanaUnreachable) as caught:
        client.health()
    assert str(caught.value) == (
        "TLS verification failed for https://grafana.example/api/health: give your private "
        "CA bundle, or skip verification for a throwaway test instance"
    )
    assert caught.value.setting == "tls" and len(script.sent) == 1


def test_grafana_connect_timeout_says_how_long_and_how_often() -> None:
    script = Script(*(requests.exceptions.ConnectTimeout("slow") for _ in range(5)))
    with grafana(script) as client, pytest.raises(GrafanaUnreachable) as caught:
        client.get_folder("f")
    assert str(caught.value) == (
        "could not connect to https://grafana.example within 5s (after 4 retries); "
        "check GRAFANA_URL and the network"
    )
    assert caught.value.setting == "url" and len(script.sent) == 5


def test_grafana_refused_connection_names_the_url_setting() -> None:
    script = Script(*(requests.exceptions.ConnectionError("refused") for _ in range(5)))
    with grafana(script) as client, pytest.raises(GrafanaUnreachable) as caught:
        client.get_folder("f")
    message = str(caught.value)
    assert message.startswith("cannot reach Grafana for GET https://grafana.example/")
    assert message.endswith("check GRAFANA_URL and that Grafana is running")
    assert caught.value.setting == "url" and len(script.sent) == 5


def test_prometheus_falls_back_to_get_after_405_and_stays_there() -> None:
    vector = {"status": "success", "data": {"resultType": "vector", "result": []}}
    script = Script(answer(405, {}), answer(200, vector), answer(200, vector))
    connection = Connection("http://u:p@prom.example:9090/", token=http.Secret("tok-prom"))
    with PrometheusClient(connection, send=script) as client:
        client.instant("up", at=None)
        client.instant("up", at=None)
    assert [r.method for r in script.sent] == ["POST", "GET", "GET"]
    assert script.sent[1].url == "http://u:p@prom.example:9090/api/v1/query?query=up"
    assert {r.headers["Authorization"] for r in script.sent} == {"Bearer tok-prom"}
    assert client.requests_sent == 3


def test_prometheus_refusal_and_timeout_never_show_the_credentials() -> None:
    connection = Connection("http://u:pw-secret@prom.example:9090", token=http.Secret("tk"))
    script = Script(answer(403, {"status": "error"}), requests.exceptions.ReadTimeout("slow"))
    with PrometheusClient(connection, send=script) as client:
        with pytest.raises(PrometheusAuthError, match=r"^Prometheus at http://prom.example:9090 "):
            client.check()
        with pytest.raises(PrometheusUnreachable, match=r"or raise the timeout$") as caught:
            client.check()
    assert caught.value.setting == "timeout"


def test_token_file_errors_name_the_file_and_the_setting(tmp_path: Path) -> None:
    empty = tmp_path / "token"
    empty.write_text("  \n")
    with pytest.raises(
        ConfigError, match=r"^the token file .*token is empty; put the token in it$"
    ) as caught:
        http.read_token_file(empty)
    assert caught.value.setting == "token_file"
    empty.write_text(" tok-file\n")
    token = http.read_token_file(empty)
    assert token.reveal() == "tok-file" and repr(token) == "Secret('********')"


# Library modules are also called without the CLI, so they name no flag: their errors (and
# a plan's reasons) carry a `setting` and the command adds its flag (tests/test_flag_hints.py).
# A whole command line in backticks (`meshdash build --out DIR`) is a command, not a flag.
NEUTRAL = [
    "http.py",
    *sorted(p.relative_to(GENERATOR).as_posix() for p in (GENERATOR / "grafana").glob("*.py")),
    "loader.py",
    "preview/choose.py",
    "validate/client.py",
    "validate/connection.py",
    "validate/diagnose.py",
    "validate/runner.py",
    *sorted(p.relative_to(GENERATOR).as_posix() for p in (GENERATOR / "outputs").glob("*.py")),
]
FLAG = re.compile(r"--[a-z][a-z-]+")
GIT_ARGUMENTS = re.compile(r"--(short|abbrev-ref|porcelain|untracked-files)\b")


def _flags(module: str) -> list[str]:
    """The flags a module's strings (not its docstrings) name."""
    tree = ast.parse((GENERATOR / module).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]
    joined = " ".join(" ".join(texts).split())
    return FLAG.findall(GIT_ARGUMENTS.sub("", re.sub(r"`meshdash [^`]*", "", joined)))


@pytest.mark.parametrize("module", NEUTRAL)
def test_neutral_library_modules_name_no_flag(module: str) -> None:
    assert _flags(module) == []
    assert "on the command line" not in (GENERATOR / module).read_text(encoding="utf-8")


def test_retrying_waits_longer_each_time_and_gives_the_last_answer() -> None:
    policy = http.RetryPolicy(retries=3, backoff_factor=0.2, backoff_max=0.5)
    waits: list[float] = []
    script = Script(*(answer(503, {}) for _ in range(4)))
    send = http.retrying(script, policy, sleep=waits.append)
    request = requests.Request("GET", "http://prom.example/api/v1/query").prepare()
    assert send(request, (1.0, 2.0)).status_code == 503
    assert len(script.sent) == 4 and waits == [0.2, 0.4, 0.5]


def test_retrying_repeats_only_the_methods_the_policy_allows() -> None:
    script = Script(answer(503, {}))
    send = http.retrying(script, http.RetryPolicy(), sleep=lambda _: None)
    request = requests.Request("POST", "http://grafana.example/api/dashboards/db").prepare()
    assert send(request, (1.0, 2.0)).status_code == 503 and len(script.sent) == 1


NO_WAIT = replace(RETRY, backoff_factor=0.0)
VECTOR = {"status": "success", "data": {"resultType": "vector", "result": []}}
# what the transport does on each attempt; how many attempts; the error the caller gets
PROMETHEUS_RETRIES = {
    "503 then 200": ([answer(503, {}), answer(200, VECTOR)], 2, None),
    "refused then 200": ([requests.exceptions.ConnectionError("refused"), answer(200, VECTOR)], 2, None),
    "400 is not retried": ([answer(400, {"status": "error", "error": "bad"})], 1, PrometheusError),
    "a read timeout is not retried": ([requests.exceptions.ReadTimeout("slow")], 1, PrometheusUnreachable),
    "a TLS failure is not retried": ([requests.exceptions.SSLError("self-signed")], 1, PrometheusUnreachable),
    "502, 504, 503: the last answer stands": ([answer(s, {}) for s in (502, 504, 503)], 3, PrometheusError),
}  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "attempts", "error"), PROMETHEUS_RETRIES.values(), ids=PROMETHEUS_RETRIES
)
def test_prometheus_retries_gateways_and_lost_connections_only(
    answers: list[Answer], attempts: int, error: type[Exception] | None
) -> None:
    script = Script(*answers)
    with PrometheusClient(
        Connection("http://prom.example:9090", retry=NO_WAIT), send=script
    ) as client:
        if error is None:
            assert client.instant("up", at=None) == []
        else:
            with pytest.raises(error, match=r"prom\.example:9090|bad"):
                client.instant("up", at=None)
    assert [r.method for r in script.sent] == ["POST"] * attempts


def test_a_prometheus_credential_never_shows_after_retries() -> None:
    connection = connection_from(
        "http://me:pw-in-url@prom.example:9090/", environ={"PROMETHEUS_TOKEN": "tok-env"}
    )
    basic = connection_from("http://me:pw-in-url@prom.example:9090/", environ={})
    assert basic.url == "http://prom.example:9090" and basic.password == http.Secret("pw-in-url")
    for conn in (connection, basic):
        refused = requests.exceptions.ConnectionError("refused")
        script = Script(answer(503, {}), refused, answer(503, {"message": "down"}))
        with (
            PrometheusClient(replace(conn, retry=NO_WAIT), send=script) as client,
            pytest.raises(PrometheusError) as caught,
        ):
            client.check()
        text = f"{caught.value} {conn!r} {client!r}"
        assert "pw-in-url" not in text and "tok-env" not in text and "prom.example:9090" in text
        assert len(script.sent) == 3
    assert {r.headers["Authorization"] for r in script.sent} == {basic_header("me", "pw-in-url")}


def test_a_url_that_is_not_http_is_refused_without_its_password() -> None:
    with pytest.raises(
        ConfigError, match=r"^Prometheus URL 'ftp://prom.example' .*http://"
    ) as caught:
        connection_from("ftp://me:pw-in-url@prom.example/", environ={})
    assert "pw-in-url" not in str(caught.value)


def with_header(response: requests.Response, name: str, value: str) -> requests.Response:
    response.headers[name] = value
    return response


HEALTHY = {"database": "ok"}
# what the transport does on each attempt of a GET; how many attempts; the error raised
GRAFANA_READS = {
    "503 then 200": ([answer(503, {}), answer(200, HEALTHY)], 2, None),
    "429 then 200": ([answer(429, {}), answer(200, HEALTHY)], 2, None),
    "reset then 200": ([requests.exceptions.ConnectionError("reset"), answer(200, HEALTHY)], 2, None),
    "read timeout then 200": ([requests.exceptions.ReadTimeout("slow"), answer(200, HEALTHY)], 2, None),
    "500 five times": ([answer(500, {}) for _ in range(5)], 5, GrafanaError),
    **{f"{code} is not retried": ([answer(code, {"message": "no"})], 1, GrafanaError)
       for code in (400, 401, 403, 404, 409, 412)},
}  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "attempts", "error"), GRAFANA_READS.values(), ids=GRAFANA_READS
)
def test_grafana_retries_what_may_pass_next_time_and_no_refusal(
    answers: list[Answer], attempts: int, error: type[Exception] | None
) -> None:
    script = Script(*answers)
    with grafana(script) as client:
        if error is None:
            assert client.send("GET", "/api/folders/f", what="folder 'f'").json() == HEALTHY
        else:
            with pytest.raises(error, match=r"folder 'f'"):
                client.send("GET", "/api/folders/f", what="folder 'f'")
    assert [r.method for r in script.sent] == ["GET"] * attempts


# A write that may have been applied is sent again: its guard (version, resourceVersion,
# fixed folder uid) turns a replay of an applied write into a 412/409 the publisher reads
# back (tests/grafana/test_grafana_faults.py); a refusal is final.
GRAFANA_WRITES = {
    "POST reset, 503, then 200": ("POST", [requests.exceptions.ConnectionError("reset"), answer(503, {}), answer(200, {"version": 1})], 3),
    "POST timed out, then 412": ("POST", [requests.exceptions.ReadTimeout("slow"), answer(412, {"status": "version-mismatch"})], 2),
    "POST 400": ("POST", [answer(400, {"message": "bad"})], 1),
    "PUT 409": ("PUT", [answer(409, {"kind": "Status", "reason": "Conflict"})], 1),
    "DELETE 502 then 200": ("DELETE", [answer(502, {}), answer(200, {})], 2),
    "POST 503 on every try": ("POST", [answer(503, {}) for _ in range(5)], 5),
}  # fmt: skip


@pytest.mark.parametrize(
    ("method", "answers", "attempts"), GRAFANA_WRITES.values(), ids=GRAFANA_WRITES
)
def test_grafana_retries_writes_by_the_same_rules(
    method: str, answers: list[Answer], attempts: int
) -> None:
    script = Script(*answers)
    last = answers[-1]
    with grafana(script) as client:
        if isinstance(last, requests.Response) and last.status_code < 400:
            assert client.send(method, "/api/x", what="dashboard 'x'").status_code == 200
        else:
            with pytest.raises(GrafanaError, match=r"dashboard 'x'"):
                client.send(method, "/api/x", what="dashboard 'x'")
    assert [r.method for r in script.sent] == [method] * attempts


def test_grafana_waits_what_retry_after_asks_up_to_its_cap() -> None:
    waits: list[float] = []
    policy = replace(GRAFANA_RETRY, backoff_factor=0.1, backoff_jitter=0.0)
    later = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    script = Script(
        with_header(answer(429, {}), "Retry-After", "3"),
        with_header(answer(429, {}), "Retry-After", later),
        with_header(answer(503, {}), "Retry-After", "soon"),
        with_header(answer(502, {}), "Retry-After", "5"),
        answer(200, {}),
    )
    send = http.retrying(script, policy, sleep=waits.append)
    request = requests.Request("POST", "https://grafana.example/api/dashboards/db").prepare()

    assert send(request, (1.0, 2.0)).status_code == 200
    # asked; capped; unreadable, and a 502's (not meant to say when): the backoff
    assert waits == [3.0, policy.retry_after_max, 0.4, 0.8]
    assert policy.retry_after_max < 90 and len(script.sent) == 5


def test_grafana_token_never_shows_in_an_error_or_a_log_line_after_retries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    failures: list[Answer] = [
        answer(503, {"message": "down"}),
        requests.exceptions.ConnectionError("Authorization: Bearer tok-grafana"),
        requests.exceptions.ReadTimeout("slow"),
    ]
    for last in (answer(503, {"message": "down"}), requests.exceptions.ConnectionError("reset")):
        script = Script(*failures, requests.exceptions.ConnectionError("reset"), last)
        with grafana(script) as client, pytest.raises(GrafanaError) as caught:
            client.get_folder("f")
        text = f"{caught.value} {client!r} {caplog.text}"
        assert "tok-grafana" not in text and "grafana.example" in text
        assert len(script.sent) == 5  # 1 try + 4 retries
    assert caplog.text.count("retry 4 of 4") == 2
    assert {r.headers["Authorization"] for r in script.sent} == {"Bearer tok-grafana"}
