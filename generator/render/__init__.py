"""Render: grafanalib objects -> clean, deterministic Grafana JSON (grafana_json),
then text (jsontext)."""
