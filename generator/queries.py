"""PromQL templates: one Jinja2 file per query under `queries/<area>/<name>.promql.j2`.

Rendering is strict (`StrictUndefined`): a missing parameter is an error that
names the template and the parameter. Jinja's own delimiters are changed to
`<< >>` / `<% %>` so that Grafana's `{{label}}` legend syntax and PromQL's
braces can never be taken for template code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2

from generator.errors import QueryTemplateError
from generator.files import BUILTIN_QUERIES

TEMPLATE_SUFFIX = ".promql.j2"

_search_path: list[Path] = [BUILTIN_QUERIES]
_environment: jinja2.Environment | None = None


def _make_environment(search_path: Sequence[Path]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        undefined=jinja2.StrictUndefined,
        variable_start_string="<<",
        variable_end_string=">>",
        block_start_string="<%",
        block_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )


def environment() -> jinja2.Environment:
    global _environment
    if _environment is None:
        _environment = _make_environment(_search_path)
    return _environment


@contextmanager
def search_path(extra: Sequence[Path]) -> Iterator[None]:
    """Look for templates in `extra` first, then in the built-in `queries/`."""
    global _search_path, _environment
    saved = (_search_path, _environment)
    _search_path = [*(Path(p) for p in extra), BUILTIN_QUERIES]
    _environment = None
    try:
        yield
    finally:
        _search_path, _environment = saved


def render_query(name: str, **params: Any) -> str:
    """Render `queries/<name>.promql.j2` with `params`; one line of PromQL."""
    template_name = f"{name}{TEMPLATE_SUFFIX}"
    try:
        template = environment().get_template(template_name)
    except jinja2.TemplateNotFound:
        where = ", ".join(str(p) for p in _search_path)
        raise QueryTemplateError(
            f"query template {template_name!r} not found in {where}; create it or fix the name"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise QueryTemplateError(
            f"query template {template_name!r} line {exc.lineno}: {exc.message}"
        ) from None
    try:
        text = template.render(**params)
    except jinja2.UndefinedError as exc:
        raise QueryTemplateError(
            f"query template {template_name!r}: {exc.message}; pass it as a keyword to render_query"
        ) from None
    # Templates may span lines for readability; PromQL does not care, Grafana's
    # query editor does, so the result is one line. Only line breaks are folded:
    # spaces inside label values stay as written.
    return _join_lines(text)


def _join_lines(text: str) -> str:
    out = ""
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        glue = "" if not out or out.endswith("(") or line.startswith(")") else " "
        out += glue + line
    return out


def list_templates() -> list[str]:
    """Names (without suffix) of every template on the search path."""
    names = environment().list_templates(filter_func=lambda n: n.endswith(TEMPLATE_SUFFIX))
    return sorted({n[: -len(TEMPLATE_SUFFIX)] for n in names})
