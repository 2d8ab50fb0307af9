"""The one exception tree of meshdash.

Every error a user can cause is a :class:`MeshdashError`; the CLI turns it into
one line on stderr and its ``exit_code`` (see ``generator.cli``). Anything else
that escapes is a bug and is reported as such. Problems a command finds (lint
findings, build drift, failed validation, refused dashboards on push) are not
errors: the command reports them and returns exit code 1.

    MeshdashError                    exit 2: the input or the setup is wrong
    ├── ConfigError                  pyproject [tool.meshdash], flags, environment
    ├── DefinitionError              a dashboard definition is wrong
    │   ├── DashboardLoadError       a file in dashboards/ fails to import
    │   ├── DuplicateUidError        two dashboards share a uid
    │   └── InvalidUidError          uid empty, too long or with bad characters
    ├── FlavorError                  unknown mesh flavor name, or not a flavor at all
    ├── QueryTemplateError           a PromQL template is missing or lacks a parameter
    ├── OutputError                  the output folder or file cannot be written
    ├── InterpolationError           a Grafana macro or variable cannot be expanded
    ├── SandboxError                 prometheus/promtool missing or failed to start
    ├── PrometheusError              the Prometheus HTTP API failed
    │   ├── PrometheusUnreachable    no answer at all from the given URL
    │   │   └── NotPrometheusError   an answer, but not a Prometheus API's (a Grafana, HTML)
    │   └── PrometheusAuthError      401/403: credentials or tenant refused
    └── GrafanaError                 the Grafana HTTP API failed
        ├── GrafanaUnreachable       no answer at all from the given URL
        ├── GrafanaAuthError         401/403
        ├── GrafanaNotFound          404
        └── GrafanaConflict          412 (legacy) or 409 (/apis): changed meanwhile, exists

A :class:`MeshdashWarning` (a ``warnings`` category, not an error) is something the user
should hear of while the command goes on: the CLI prints it as one line on stderr. Its
:class:`MeshdashDeprecation` is also a ``DeprecationWarning``, for a renamed module.

Messages must never contain a secret: the Grafana and Prometheus clients build
their messages from the URL and status only, never from request headers.
"""

from __future__ import annotations


class MeshdashError(Exception):
    """Base of every error meshdash reports to its user.

    ``setting`` names, in the library's own words, the input the error is about
    (``"out_dir"``, ``"prometheus_url"``). The library's message names no command-line
    flag, since the library is called without the CLI too; a command that took the
    input from a flag adds it (``generator.commands.params.flag_hints``).
    """

    exit_code: int = 2

    def __init__(self, *args: object, setting: str | None = None) -> None:
        super().__init__(*args)
        self.setting = setting


class ConfigError(MeshdashError):
    """Settings in pyproject.toml, flags or environment are wrong."""


class DefinitionError(MeshdashError):
    """A dashboard definition is wrong."""


class DashboardLoadError(DefinitionError):
    """A file in the dashboards folder fails to import."""


class DuplicateUidError(DefinitionError):
    """Two dashboards share a uid."""


class InvalidUidError(DefinitionError):
    """A uid is empty, longer than Grafana allows, or has bad characters."""


class FlavorError(MeshdashError):
    """A mesh flavor name is not known, or a flavor option holds something else."""


class QueryTemplateError(MeshdashError):
    """A PromQL template is missing, broken, or lacks a parameter."""


class OutputError(MeshdashError):
    """An output path cannot be written."""


class InterpolationError(MeshdashError):
    """A Grafana macro or variable in a query cannot be expanded."""


class SandboxError(MeshdashError):
    """The local Prometheus sandbox cannot be started."""


class PrometheusError(MeshdashError):
    """The Prometheus HTTP API answered with an error."""


class PrometheusUnreachable(PrometheusError):
    """The Prometheus URL did not answer at all."""


class NotPrometheusError(PrometheusUnreachable):
    """The URL answers, but not as a Prometheus API does (a Grafana, a login page)."""


class PrometheusAuthError(PrometheusError):
    """Prometheus refused the credentials (401) or the access (403)."""


class GrafanaError(MeshdashError):
    """The Grafana HTTP API answered with an error."""


class GrafanaUnreachable(GrafanaError):
    """The Grafana URL did not answer at all."""


class GrafanaAuthError(GrafanaError):
    """Grafana refused the credentials (401) or the role (403)."""


class GrafanaNotFound(GrafanaError):
    """Grafana has no such dashboard or folder (404)."""


class GrafanaConflict(GrafanaError):
    """Grafana refused a write: 412 (legacy: version-mismatch, name-exists,
    plugin-dashboard) or 409 (resource API: a stale resourceVersion, or it exists)."""


class MeshdashWarning(UserWarning):
    """Likely a mistake, but not one to stop for (a definition file defining no dashboard)."""


class MeshdashDeprecation(MeshdashWarning, DeprecationWarning):
    """A name meshdash renamed is still in use: the CLI says so; plain Python hides it."""
