"""Rendering a report with Jinja2 templates kept inside the package."""

from __future__ import annotations

from functools import cache

import jinja2
from markupsafe import Markup

from .build import Report

FORMATS = ("html", "md")


@cache
def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("drill.report", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the tests, not the committee
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    env.filters["css_string"] = _css_string
    return env


def _css_string(value: object) -> Markup:
    """Text inside a CSS string in a <style> element (where HTML escapes are not read)."""
    # an escape ends with one space, which CSS reads as part of it
    out = "".join(ch if ch.isalnum() or ch in " -_.,:;/()" else f"\\{ord(ch):x} " for ch in str(value))
    return Markup(out)


def _cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split()) or " "


def render_html(report: Report) -> str:
    return _environment(True).get_template("report.html.j2").render(r=report)


def render_markdown(report: Report) -> str:
    return _environment(False).get_template("report.md.j2").render(r=report)


def render(report: Report, fmt: str) -> str:
    return render_html(report) if fmt == "html" else render_markdown(report)
