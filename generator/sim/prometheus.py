"""A real ``prometheus`` process on a loopback port, as a context manager.

The server gets its own temp dir (config, TSDB unless a data dir is given,
log); leaving the ``with`` block always stops the process (terminate, wait,
kill) and removes the temp dir, on errors too.
"""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
import yaml

from generator.errors import SandboxError

INSTALL_HINT = "install it with: sudo apt-get install prometheus"


def find_binary(name: str) -> str:
    """The path of ``prometheus`` or ``promtool``; a SandboxError saying how to install it."""
    path = shutil.which(name)
    if path is None:
        raise SandboxError(f"`{name}` was not found on PATH; {INSTALL_HINT}")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_blocks(openmetrics_file: Path, data_dir: Path, timeout: float = 120.0) -> None:
    """``promtool tsdb create-blocks-from openmetrics FILE DATA_DIR``."""
    command = [find_binary("promtool"), "tsdb", "create-blocks-from", "openmetrics"]
    try:
        result = subprocess.run(
            [*command, str(openmetrics_file), str(data_dir)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SandboxError(f"promtool did not finish backfilling {openmetrics_file}") from exc
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise SandboxError(f"promtool failed to backfill {openmetrics_file}: {last}")


class PrometheusServer:
    """Runs ``prometheus`` on ``127.0.0.1:port`` until the ``with`` block ends."""

    def __init__(
        self,
        scrape_configs: list[dict[str, Any]] | None = None,
        *,
        data_dir: Path | None = None,
        scrape_interval: str = "5s",
        lookback_delta: str | None = None,
        port: int | None = None,
        ready_timeout: float = 30.0,
        web_config: str | None = None,
        ready_auth: tuple[str, str] | None = None,
    ) -> None:
        self.scrape_configs = scrape_configs or []
        self.data_dir = data_dir
        self.scrape_interval = scrape_interval
        self.lookback_delta = lookback_delta
        self.port = port
        self.ready_timeout = ready_timeout
        # Prometheus' --web.config.file (TLS, basic auth), and the login to see it ready.
        self.web_config = web_config
        self.ready_auth = ready_auth
        self._tmp: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def __enter__(self) -> PrometheusServer:
        binary = find_binary("prometheus")
        self._tmp = Path(tempfile.mkdtemp(prefix="meshdash-prometheus-"))
        try:
            self._start(binary)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _start(self, binary: str) -> None:
        assert self._tmp is not None
        config = self._tmp / "prometheus.yml"
        config.write_text(yaml.safe_dump(self._config(), sort_keys=False))
        if self.port is None:
            self.port = free_port()
        else:
            self._check_port()
        data_dir = self.data_dir or self._tmp / "data"
        command = [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={data_dir}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
        ]
        if self.lookback_delta:
            command.append(f"--query.lookback-delta={self.lookback_delta}")
        if self.web_config is not None:
            web = self._tmp / "web.yml"
            web.write_text(self.web_config)
            command.append(f"--web.config.file={web}")
        log = (self._tmp / "prometheus.log").open("wb")
        with log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self._wait_ready()

    def _check_port(self) -> None:
        """A chosen port must be free: whatever holds it might answer `/-/ready` itself."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # as Prometheus (Go) binds: a port left in TIME_WAIT is free
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", self.port or 0))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise self._port_in_use() from None
                raise SandboxError(
                    f"port {self.port} on 127.0.0.1 cannot be used ({exc.strerror}); "
                    "pick another port",
                    setting="port",
                ) from None

    def _port_in_use(self) -> SandboxError:
        return SandboxError(
            f"port {self.port} on 127.0.0.1 is in use; pick another port or stop what uses it",
            setting="port",
        )

    def _config(self) -> dict[str, Any]:
        interval = self.scrape_interval
        return {
            "global": {
                "scrape_interval": interval,
                "scrape_timeout": interval,
                "evaluation_interval": interval,
            },
            "scrape_configs": self.scrape_configs,
        }

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                if "bind: address already in use" in self._log_tail():
                    raise self._port_in_use()  # taken since _check_port
                raise SandboxError(
                    f"prometheus exited with code {self._process.returncode} while starting "
                    f"on {self.url}: {self._log_tail()}"
                )
            try:
                ready = requests.get(f"{self.url}/-/ready", auth=self.ready_auth, timeout=1)
                if ready.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise SandboxError(f"prometheus at {self.url} was not ready in {self.ready_timeout:g}s")

    def _log_tail(self) -> str:
        assert self._tmp is not None
        path = self._tmp / "prometheus.log"
        lines = path.read_text(errors="replace").strip().splitlines() if path.exists() else []
        return lines[-1] if lines else "no log output"

    def stop(self) -> None:
        """Stops the process (terminate, then kill) and removes the temp dir; idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
