"""Self-contained HTML: one page per dashboard (its PNG and every panel's data inline) and an index.

No page loads anything from the network: the image is a ``data:`` URI, the
data is an HTML table per panel plus a JSON block (``<script
type="application/json">``, which browsers never execute). The index links
the pages and shows each dashboard's PNG from the same folder.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from generator.preview.draw import Drawn, field_defaults
from generator.preview.fetch import PanelData
from generator.preview.units import format_value

_STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#24292e;background:#fff}
img{max-width:100%;border:1px solid #d8d9da}
table{border-collapse:collapse;margin:4px 0 16px;font-size:13px}
td,th{border:1px solid #d8d9da;padding:2px 8px;text-align:left}
.muted{color:#6e7079}
code{font-size:12px;word-break:break-all}
"""


@dataclass(frozen=True)
class PageInfo:
    """What a dashboard page says about its run."""

    uid: str
    title: str
    variables: dict[str, str]
    range_text: str
    end_text: str
    png_name: str


def dashboard_page(
    info: PageInfo, png: bytes, panels: Sequence[tuple[Drawn, PanelData | None]]
) -> str:
    """The page of one dashboard: title, variables, the image, then each panel's data."""
    chosen = ", ".join(f"${k} = {escape(v)}" for k, v in info.variables.items()) or "none"
    image = base64.b64encode(png).decode("ascii")
    parts = [
        _head(f"{info.title} preview"),
        f"<h1>{escape(info.title)}</h1>",
        f'<p class="muted">uid {escape(info.uid)}; variables: {chosen}; last {escape(info.range_text)} '
        f"ending {escape(info.end_text)}. Drawn by meshdash preview, not by Grafana.</p>",
        f'<img alt="{escape(info.title)}" src="data:image/png;base64,{image}">',
        "<h2>Panel data</h2>",
    ]
    for index, (drawn, data) in enumerate(panels):
        parts.append(_panel_section(index, drawn, data))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def index_page(entries: Sequence[tuple[PageInfo, int]]) -> str:
    """Links to every dashboard page, each with its PNG and how many panels had no data."""
    parts = [_head("meshdash previews"), "<h1>meshdash previews</h1>"]
    for info, empty in entries:
        page = f"{info.uid}.html"
        note = f"{empty} panel(s) without data" if empty else "every panel has data"
        parts.append(
            f'<h2><a href="{escape(page)}">{escape(info.title)}</a></h2>'
            f'<p class="muted">{escape(note)}</p>'
            f'<a href="{escape(page)}"><img alt="{escape(info.title)}" src="{escape(info.png_name)}"></a>'
        )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
    )


def _panel_section(index: int, drawn: Drawn, data: PanelData | None) -> str:
    if data is None:
        return f"<h3>Row: {escape(drawn.title)}</h3>"
    unit = field_defaults(data.placed.panel).get("unit")
    rows = "".join(
        f"<tr><td>{escape(s.name)}</td><td>{len(s.values)}</td>"
        f"<td>{escape(_shown(drawn.series.get(s.name), unit))}</td></tr>"
        for s in data.series
    )
    table = (
        f"<table><tr><th>series</th><th>points</th><th>shown</th></tr>{rows}</table>"
        if rows
        else ""
    )
    note = f'<p class="muted">{escape(drawn.message)}</p>' if drawn.message else ""
    queries = "".join(f"<li><code>{escape(e)}</code></li>" for e in data.queries)
    payload = {
        "title": drawn.title,
        "kind": drawn.kind,
        "unit": unit,
        "message": drawn.message,
        "shown": {k: [_finite(v) for v in vs] for k, vs in drawn.series.items()},
        "series": [
            {"name": s.name, "refId": s.ref_id, "labels": s.labels, "times": list(s.times),
             "values": [_finite(v) for v in s.values]}
            for s in data.series
        ],
        "queries": data.queries,
        "errors": data.errors,
    }  # fmt: skip
    text = json.dumps(payload, allow_nan=False).replace("</", "<\\/")
    return (
        f"<h4>{escape(drawn.title)}</h4>{note}{table}<ul>{queries}</ul>"
        f'<script type="application/json" id="panel-{index}">{text}</script>'
    )


def _finite(value: float) -> float | None:
    """JSON has no NaN or infinity; Grafana shows them as gaps too."""
    return value if math.isfinite(value) else None


def _shown(values: list[float] | None, unit: str | None) -> str:
    """The last value drawn for a series (a line's last point, a stat's number)."""
    return format_value(values[-1], unit) if values else ""
