"""The live sidecars: a client that hangs up mid-answer prints nothing (no traceback)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_a_client_that_resets_the_connection_prints_no_traceback() -> None:
    """A scraper that gives up (RST before reading the answer) is routine, not an error."""
    script = textwrap.dedent(
        """
        import socket, struct, sys, time
        from generator.sim.live import LiveMesh
        from generator.sim.mesh import Mesh
        with LiveMesh(Mesh()) as live:
            host, port = next(iter(live.addresses.values())).split(":")
            for _ in range(20):
                s = socket.create_connection((host, int(port)))
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.sendall(b"GET /stats/prometheus HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                s.close()
            time.sleep(1.0)
            ok = socket.create_connection((host, int(port)))
            ok.sendall(b"GET /stats/prometheus HTTP/1.0\\r\\n\\r\\n")
            head = ok.recv(64)
            ok.close()
            print(head.split(b"\\r\\n")[0].decode())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "HTTP/1.0 200 OK"
    assert "Traceback" not in done.stderr, done.stderr
    assert "Exception occurred" not in done.stderr, done.stderr
