"""One piece of work in a daemon thread, started at once; :meth:`Background.result` waits.

Push lists Grafana while it reads the build, and fetches the next LIST page while it parses
the current one: both wait on the network while the caller uses the CPU. Daemon threads: a
run that stops on bad input exits at once instead of waiting for Grafana's retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``work()`` running in a daemon thread; its value or its exception comes from ``result``."""

    def __init__(self, work: Callable[[], T], *, name: str) -> None:
        self._work = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> T:
        """Wait for the work; its exception, if any, is raised here, in the caller's thread."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
