"""Links in the schema's DashboardLink shape: the dashboard's header and a panel's links."""

from __future__ import annotations

from typing import Any

from generator.dashboard import DashboardLink
from generator.errors import DefinitionError
from generator.render.plain import plain_json


def link_json(link: DashboardLink) -> dict[str, Any]:
    """A header link: to a URL, or a dropdown of the dashboards with its tags."""
    return {
        "title": link.title,
        "type": "link" if link.url else "dashboards",
        "asDropdown": not link.url,
        "icon": "external link" if link.url else "dashboard",
        "includeVars": link.include_vars,
        "keepTime": link.keep_time,
        "tags": list(link.tags),
        "targetBlank": False,
        "tooltip": "",
        "url": link.url or "",
    }


def panel_links_json(title: str, links: Any) -> list[dict[str, Any]]:
    """A panel's links (dicts or grafanalib `DataLink`s); Grafana reads title and url."""
    shaped = []
    for link in plain_json(links) or []:
        if not isinstance(link, dict) or "title" not in link or "url" not in link:
            raise DefinitionError(
                f"panel {title!r}: a link must have a title and a url, "
                'such as {"title": "Runbook", "url": "https://..."}'
            )
        shaped.append(
            link_json(DashboardLink(title=link["title"], url=link["url"], keep_time=False))
        )
    return shaped
