"""`make bench`: meshdash's performance against the naive or grafanalib way, in one run.

Run with `.venv/bin/python -m bench` from the repository root (or `make bench`).
Nothing here runs in `make test`.
"""
