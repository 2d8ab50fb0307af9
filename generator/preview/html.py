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

from generator.preview.draw import Drawn
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
    info: PageInfo,
    png: bytes,
    drawn: Sequence[Drawn],
    units: Sequence[str | None],
    queries: Sequence[list[str]],
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
    for index, (item, unit, exprs) in enumerate(zip(drawn, units, queries, strict=True)):
        parts.append(_panel_section(index, item, unit, exprs))
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


def _panel_section(index: int, item: Drawn, unit: str | None, exprs: list[str]) -> str:
    if item.kind == "row":
        return f"<h3>Row: {escape(item.title)}</h3>"
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{len(values)}</td>"
        f"<td>{escape(_last(values, unit))}</td></tr>"
        for name, values in item.series.items()
    )
    table = (
        f"<table><tr><th>series</th><th>points</th><th>last</th></tr>{rows}</table>" if rows else ""
    )
    note = f'<p class="muted">{escape(item.message)}</p>' if item.message else ""
    queries = "".join(f"<li><code>{escape(e)}</code></li>" for e in exprs)
    payload = json.dumps(
        {"title": item.title, "kind": item.kind, "unit": unit, "message": item.message,
         "times": item.times, "series": {k: [_finite(v) for v in vs] for k, vs in item.series.items()},
         "queries": exprs},
        allow_nan=False, default=str,
    ).replace("</", "<\\/")  # fmt: skip
    return (
        f"<h4>{escape(item.title)}</h4>{note}{table}<ul>{queries}</ul>"
        f'<script type="application/json" id="panel-{index}">{payload}</script>'
    )


def _finite(value: float) -> float | None:
    """JSON has no NaN or infinity; Grafana shows them as gaps too."""
    return value if math.isfinite(value) else None


def _last(values: list[float], unit: str | None) -> str:
    return format_value(values[-1], unit) if values else ""
