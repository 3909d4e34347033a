"""The after-action report: a drill's summary, figures, timeline, scorecard, charts, notes and
improvement plan, as one self-contained HTML file or as Markdown, in Vietnamese or English."""

from __future__ import annotations

from .build import Report, build_report
from .render import render, render_html, render_markdown

__all__ = ["Report", "build_report", "render", "render_html", "render_markdown"]
