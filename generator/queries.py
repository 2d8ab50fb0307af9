"""PromQL templates: one Jinja2 file per query under `queries/<area>/<name>.promql.j2`.

Rendering is strict (`StrictUndefined`): a missing parameter is an error that
names the template and the parameter, and a misspelt attribute
(`<< flavor.source_lable >>`) names the attributes that exist. Jinja's own delimiters are changed to
`<< >>` / `<% %>` so that Grafana's `{{label}}` legend syntax and PromQL's
braces can never be taken for template code.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2.utils import missing

from generator.config import BUILTIN_QUERIES
from generator.errors import QueryTemplateError
from generator.flavors import Flavor, as_flavor

TEMPLATE_SUFFIX = ".promql.j2"


class _UnknownAttribute(jinja2.UndefinedError):
    """`<< obj.name >>` where `obj` has no `name`: a typo, not a missing parameter."""

    def __init__(self, obj: object, name: str, message: str) -> None:
        super().__init__(message)
        self.obj = obj
        self.name = name


class _StrictUndefined(jinja2.StrictUndefined):
    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[jinja2.exceptions.TemplateRuntimeError] = jinja2.UndefinedError,
    ) -> None:
        super().__init__(hint, obj, name, exc)
        if obj is not missing and isinstance(name, str):
            # Jinja raises `self._undefined_exception(message)`; any callable will do.
            self._undefined_exception = functools.partial(_UnknownAttribute, obj, name)  # type: ignore[assignment]


_search_path: list[Path] = [BUILTIN_QUERIES]
_environment: jinja2.Environment | None = None
#: (name, flavor name) -> (template name, template), for the current environment
_templates: dict[tuple[str, str | None], tuple[str, jinja2.Template]] = {}


def _make_environment(search_path: Sequence[Path]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        undefined=_StrictUndefined,
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
        # A template is read once per environment, which each build makes afresh: checking
        # its file's mtime on every render was a stat per query.
        auto_reload=False,
    )


def environment() -> jinja2.Environment:
    global _environment, _templates
    if _environment is None:
        _environment = _make_environment(_search_path)
        _templates = {}
    return _environment


@contextmanager
def search_path(extra: Sequence[Path]) -> Iterator[None]:
    """Look for templates in `extra` first, then in the built-in `queries/`."""
    global _search_path, _environment
    for folder in extra:
        if not Path(folder).is_dir():
            # Jinja would skip it and report every template of it as missing.
            raise QueryTemplateError(
                f"query templates folder {folder} does not exist; create it or fix the name"
            )
    global _templates
    saved = (_search_path, _environment, _templates)
    _search_path = _unique([*(Path(p) for p in extra), BUILTIN_QUERIES])
    _environment = None
    try:
        yield
    finally:
        _search_path, _environment, _templates = saved


def _unique(folders: Sequence[Path]) -> list[Path]:
    """`folders` in order, each once (the project's `queries/` is also the built-in one)."""
    seen: set[Path] = set()
    out = []
    for folder in folders:
        key = folder.resolve()
        if key not in seen:
            seen.add(key)
            out.append(folder)
    return out


def render_query(name: str, **params: Any) -> str:
    """Render `queries/<name>.promql.j2` with `params`; one line of PromQL.

    With a `flavor`, `queries/<flavor>/<name>.promql.j2` is preferred where it exists:
    a mesh overrides only the templates that differ.
    """
    if "flavor" in params:
        params["flavor"] = as_flavor(params["flavor"])
    template_name, template = _template(name, params.get("flavor"))
    try:
        text = template.render(**params)
    except _UnknownAttribute as exc:
        raise QueryTemplateError(
            f"query template {template_name!r}: {_unknown_attribute(exc, params)}"
        ) from None
    except jinja2.UndefinedError as exc:
        raise QueryTemplateError(
            f"query template {template_name!r}: {exc.message}; pass it as a keyword to render_query"
        ) from None
    # Templates may span lines for readability; PromQL does not care, Grafana's
    # query editor does, so the result is one line. Only line breaks are folded:
    # spaces inside label values stay as written.
    return _join_lines(text)


def _template(name: str, flavor: Flavor | None) -> tuple[str, jinja2.Template]:
    """The template `name` for `flavor`, looked up once per environment (every query of
    every panel asks)."""
    environment()  # a new environment starts with no templates
    key = (name, None if flavor is None else flavor.name)
    found = _templates.get(key)
    if found is None:
        template_name = _template_name(name, flavor)
        template = _load(template_name)
        # Jinja copies a template's globals (a ChainMap over the environment's) into each
        # render's context; a plain dict of the same names copies several times faster.
        template.globals = dict(template.globals)
        found = _templates[key] = (template_name, template)
    return found


def _template_name(name: str, flavor: Flavor | None) -> str:
    if flavor is not None:
        flavored = f"{flavor.name}/{name}{TEMPLATE_SUFFIX}"
        if _exists_on(tuple(_search_path), flavored):
            return flavored
    return f"{name}{TEMPLATE_SUFFIX}"


def _exists_on(folders: tuple[Path, ...], template_name: str) -> bool:
    # Asked once per template and environment (see _template): a build asks the disk
    # once, and the next build sees a template added in between.
    return any((folder / template_name).is_file() for folder in folders)


def _load(template_name: str) -> jinja2.Template:
    try:
        return environment().get_template(template_name)
    except jinja2.TemplateNotFound:
        builtin = BUILTIN_QUERIES.resolve()
        where = ", ".join(
            f"{p} (built-in)" if p.resolve() == builtin else str(p) for p in _search_path
        )
        raise QueryTemplateError(
            f"query template {template_name!r} not found in {where}; create it or fix the name"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise QueryTemplateError(
            f"query template {template_name!r} line {exc.lineno}: {exc.message}"
        ) from None
    except UnicodeDecodeError as exc:
        raise QueryTemplateError(
            f"query template {_locate(template_name)}: not UTF-8 (byte {exc.object[exc.start]:#04x} "
            f"at offset {exc.start}); save it as UTF-8"
        ) from None


def _locate(template_name: str) -> str:
    """The file the loader read `template_name` from (the first folder that has it)."""
    for folder in _search_path:
        if (folder / template_name).is_file():
            return str(folder / template_name)
    return repr(template_name)


def _unknown_attribute(exc: _UnknownAttribute, params: Mapping[str, Any]) -> str:
    """`flavor has no attribute 'source_lable'; did you mean source_label? ...`."""
    owner = next((key for key, value in params.items() if value is exc.obj), None)
    what = owner or f"the {type(exc.obj).__name__}"
    known = _attributes(exc.obj)
    close = difflib.get_close_matches(exc.name, known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{what} has no attribute {exc.name!r}; {hint}it has: {', '.join(known)}"


def _attributes(obj: object) -> list[str]:
    if isinstance(obj, Mapping):
        return sorted(str(key) for key in obj)
    if dataclasses.is_dataclass(obj):
        fields = [f.name for f in dataclasses.fields(obj)]
        return fields + sorted(n for n in dir(obj) if not n.startswith("_") and n not in fields)
    return sorted(n for n in dir(obj) if not n.startswith("_"))


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
