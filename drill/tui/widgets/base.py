"""What every drill widget shares: the app it renders from, and the styles of node states."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.style import Style

from ...viewmodel import STATE_ORDER

if TYPE_CHECKING:
    from ..base import DrillBaseApp

STATE_COMPONENTS = {f"state--{s}" for s in STATE_ORDER} | {"state--working"}
SEVERITY_COMPONENTS = {"sev--info", "sev--notice", "sev--warning", "sev--critical", "sev--time"}


class DrillWidgetMixin:
    """Typed access to the drill app (widgets read the view-model through it, never own it)."""

    app: Any

    @property
    def dapp(self) -> DrillBaseApp:
        return self.app  # type: ignore[no-any-return]

    @property
    def public(self) -> bool:
        """True on the players' screen: show only what the players may see."""
        return bool(getattr(self, "_public", False))

    def component_style(self, name: str) -> Style:
        try:
            return self.get_component_rich_style(name, partial=True)  # type: ignore[attr-defined,no-any-return]
        except KeyError:
            return Style()


def click(action: str) -> Style:
    """A style that runs ``action`` when clicked (a link in a line of text)."""
    return Style.from_meta({"@click": action})
