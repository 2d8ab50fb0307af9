"""New files written on a thread of their own while the build renders the next dashboard.

Creating a file is kernel work (0.3 to 1 ms here, most of a dashboard's own render
time), and Python lets other threads run while a thread waits in `open()` or
`write()`. One writer thread overlaps that work with the build's on a second core.
At most `limit` files wait for it, so memory stays flat however many dashboards a
build stages. The first error is raised by the next `write`, or by `finish`.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from generator.errors import OutputError

#: files waiting for the writer at most: enough to ride out a slow create, small in memory
WAITING_LIMIT = 16


class FileWriter:
    """Writes new files (`open(..., "xb")`) in order on one background thread."""

    def __init__(self, limit: int = WAITING_LIMIT) -> None:
        self._limit = limit
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="meshdash-writer")
        self._waiting: deque[Future[None]] = deque()

    def write(self, staged: str, data: bytes, shown: str) -> None:
        """Queue `data` for the new file `staged`; an error names `shown`, the file it stands for."""
        while len(self._waiting) >= self._limit:
            self._waiting.popleft().result()
        self._waiting.append(self._pool.submit(write_new, staged, data, shown))

    def drain(self) -> None:
        """Wait until every queued file is written; raise the first error."""
        while self._waiting:
            self._waiting.popleft().result()

    def finish(self) -> None:
        """`drain`, then stop the thread."""
        try:
            self.drain()
        finally:
            self.close()

    def close(self) -> None:
        """Stop: queued files not yet started are dropped, one being written completes."""
        for future in self._waiting:
            future.cancel()
        self._waiting.clear()
        self._pool.shutdown(wait=True)


def write_new(staged: str, data: bytes, shown: str) -> None:
    """`data` into the new file `staged`; an error names `shown`.

    `open()` gives it the mode `cp` would (0666 less the umask), which a rename keeps:
    Grafana often runs as another user and must read it.
    """
    try:
        with open(staged, "xb") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror}") from None
