"""The naive upload, as in grafanalib's upload example: POST every dashboard, overwrite on.

Run as `python -m bench.naive_push URL DIR` with the token in $GRAFANA_TOKEN: one
`requests.post` per `*.json` file (no Session), sequentially, checking each answer.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import requests


def upload_all(url: str, directory: Path, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    count = 0
    for path in sorted(directory.glob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        body = json.dumps({"dashboard": dashboard, "overwrite": True}, sort_keys=True, indent=2)
        answer = requests.post(f"{url}/api/dashboards/db", data=body, headers=headers, timeout=30)
        if answer.status_code != 200:
            sys.stderr.write(f"{path.name}: HTTP {answer.status_code}\n")
            return 1
        count += 1
    sys.stdout.write(f"{count} posted\n")
    return 0


if __name__ == "__main__":
    sys.exit(upload_all(sys.argv[1], Path(sys.argv[2]), os.environ["GRAFANA_TOKEN"]))
