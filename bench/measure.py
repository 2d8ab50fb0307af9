"""Timing and peak memory of child processes, medians, and targets.

Peak memory is the child's maximum resident set size as GNU time reports it
(`/usr/bin/time -f %M`, Debian package `time`), beside its CPU seconds (user plus
system, `%U %S`): on a shared machine wall time varies with the neighbours' load,
CPU time much less. Reading `ru_maxrss` from
`os.wait4` or `RUSAGE_CHILDREN` deltas in this process is wrong here: Linux
carries the forking process's peak into the child's figure at exec, and the
bench process holds 1,000 loaded dashboards (about 150 MiB). GNU time is a
2 MiB process, so its child starts from that. Without it, the figure falls
back to `os.wait4` and is marked as an upper bound.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    max_rss_kib: int
    rss_method: str
    returncode: int
    #: user + system CPU seconds (GNU time, or os.wait4 without it)
    cpu_seconds: float
    stdout: str
    stderr: str


class BenchError(Exception):
    """A benchmark could not run (a child failed, outputs differ, a server did not start)."""


def run_child(argv: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> ChildRun:
    """Run `argv` to completion; wall time and the child's own peak RSS."""
    out_path, err_path, rss_path = (cwd / f".bench-child.{n}" for n in ("out", "err", "rss"))
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    prefix = [gnu_time, "-f", "%M %U %S", "-o", str(rss_path)] if gnu_time else []
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([*prefix, *argv], cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    if gnu_time and proc.returncode == 0:
        rss, user, system = rss_path.read_text().split()[-3:]
        max_rss, method, cpu = int(rss), "GNU time %M", float(user) + float(system)
    else:
        max_rss, method = int(usage.ru_maxrss), "os.wait4 ru_maxrss (upper bound)"
    result = ChildRun(
        seconds=seconds,
        max_rss_kib=max_rss,
        rss_method=method,
        returncode=proc.returncode,
        cpu_seconds=cpu,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )
    for path in (out_path, err_path, rss_path):
        path.unlink(missing_ok=True)
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-3:]
        raise BenchError(f"{argv[0]} exited {result.returncode}: {' | '.join(tail)}")
    return result


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


@dataclass(frozen=True)
class Target:
    """A goal from the issue: `value` compared with `limit` (`<=` or `>=`)."""

    name: str
    value: float | None
    op: str
    limit: float

    @property
    def status(self) -> str:
        if self.value is None:
            return "NOT MEASURED"
        ok = self.value <= self.limit if self.op == "<=" else self.value >= self.limit
        return "PASS" if ok else "FAIL"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "op": self.op,
            "limit": self.limit,
            "status": self.status,
        }
