"""The MSEL: upcoming injects with a countdown, those waiting for a condition or held in reserve,
and delivered ones with their expected actions, deadlines and status."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Button, OptionList
from textual.widgets.option_list import Option

from ...i18n import pick, t
from ...model.durations import format_duration, format_offset
from ...narration import expect_detail, name_of
from ...viewmodel import ExpectView, InjectView, first_words
from ..messages import MselSelected
from .base import DrillWidgetMixin

BUTTONS = (
    ("deliver", "tui.btn_deliver"),
    ("skip", "tui.btn_skip"),
    ("delay", "tui.btn_delay"),
    ("free_inject", "tui.btn_free_inject"),
    ("mark", "tui.btn_mark"),
    ("note", "tui.btn_note"),
)
EXPECT_GLYPH = {"waiting": "·", "open": "○", "overdue": "!", "met": "✓", "late": "✓", "missed": "✗"}
SECTIONS = ("upcoming", "pending", "held", "delivered", "skipped")


def option_id(inject: str, index: int | None = None) -> str:
    return f"inj:{inject}" if index is None else f"exp:{inject}:{index}"


def parse_option_id(value: str) -> tuple[str | None, int | None]:
    if value.startswith("inj:"):
        return value[4:], None
    if value.startswith("exp:"):
        inject, _, index = value[4:].rpartition(":")
        return inject, int(index)
    return None, None


class MselList(DrillWidgetMixin, OptionList):
    COMPONENT_CLASSES = {
        "msel--section",
        "msel--due",
        "msel--hidden",
        "msel--open",
        "msel--overdue",
        "msel--met",
        "msel--late",
        "msel--missed",
        "msel--waiting",
        "msel--muted",
    }


class MselPanel(DrillWidgetMixin, Vertical):
    def __init__(self, buttons: bool = True, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._buttons = buttons
        self._shown: list[str] = []

    def compose(self) -> ComposeResult:
        yield MselList(id="msel-list", compact=True)
        if self._buttons:
            with Grid(id="msel-actions"):
                for action, key in BUTTONS:
                    yield Button(
                        t(key), action=f"app.{action}", compact=True, id=f"btn-{action.replace('_', '-')}"
                    )

    def on_mount(self) -> None:
        self.border_title = t("tui.panel_msel")
        self.refresh_view(force=True)

    def relabel(self) -> None:
        self.border_title = t("tui.panel_msel")
        if self._buttons:
            for action, key in BUTTONS:
                self.query_one(f"#btn-{action.replace('_', '-')}", Button).label = t(key)
        self.refresh_view(force=True)

    def _title(self, view: InjectView) -> str:
        if view.trigger == "deadlines":
            return t("tui.msel_deadlines")
        title = pick(view.title) if view.title else first_words(pick(view.text), 48)
        if view.trigger == "free":
            return t("tui.msel_free", text=pick(view.text))
        return f"{view.id} — {title}" if title else view.id

    def _inject_row(self, view: InjectView, ol: MselList, now: float) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis")
        if view.status == "upcoming" and view.at is not None:
            left = view.at - now
            row.append(f"{format_offset(view.at)} ", ol.component_style("msel--due"))
            row.append(
                f"{t('tui.msel_in', left=format_duration(max(0.0, left))):<10} ",
                ol.component_style("msel--due"),
            )
        elif view.status == "pending":
            row.append(t("tui.msel_when") + " ", ol.component_style("msel--muted"))
        elif view.status == "held":
            row.append(t("tui.msel_reserve") + " ", ol.component_style("msel--muted"))
        elif view.status == "delivered" and view.delivered_at is not None:
            row.append(f"{format_offset(view.delivered_at)} ", ol.component_style("msel--muted"))
        row.append(self._title(view))
        if view.hidden:
            row.append(" " + t("tui.msel_hidden"), ol.component_style("msel--hidden"))
        return row

    def _expect_row(self, exp: ExpectView, ol: MselList) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis")
        style = ol.component_style(f"msel--{exp.status}")
        row.append(f"   {EXPECT_GLYPH.get(exp.status, '·')} ", style)
        row.append(t(f"tui.act_{exp.action.replace('-', '_')}"))
        detail = expect_detail(exp.spec, self.dapp.scenario)
        if detail:
            row.append(f" {detail}")
        if exp.by:
            row.append(f" · {name_of(self.dapp.scenario, 'team', exp.by)}", ol.component_style("msel--muted"))
        if exp.due is not None:
            row.append(
                " · " + t("tui.msel_due", due=format_offset(exp.due)), ol.component_style("msel--muted")
            )
        row.append(" · " + t(f"tui.exp_{exp.status}"), style)
        return row

    def refresh_view(self, force: bool = False) -> None:
        app = self.dapp
        vm = app.vm
        ol = self.query_one(MselList)
        now = app.now
        options: list[Option | None] = []
        ids: list[str] = []
        for section in SECTIONS:
            views = vm.injects(section)
            if not views:
                continue
            options.append(
                Option(Text(t(f"tui.msel_{section}"), ol.component_style("msel--section")), disabled=True)
            )
            ids.append(f"section:{section}")
            for view in views:
                options.append(Option(self._inject_row(view, ol, now), id=option_id(view.id)))
                ids.append(option_id(view.id) + str(view.at) + view.status + str(int(now)))
                if section in ("delivered",) or (section in ("upcoming", "pending") and view.expects):
                    for exp in view.expects:
                        options.append(Option(self._expect_row(exp, ol), id=option_id(view.id, exp.index)))
                        ids.append(option_id(view.id, exp.index) + exp.status)
        signature = [*ids, str(app.lang_epoch)]
        if signature == self._shown and not force:
            return
        self._shown = signature
        highlighted = ol.highlighted_option.id if ol.highlighted_option else None
        scroll = ol.scroll_y
        ol.set_options([o for o in options if o is not None])
        if highlighted is not None:
            try:
                ol.highlighted = ol.get_option_index(highlighted)
            except Exception:  # the line is gone (an inject moved section)
                ol.highlighted = None
        ol.scroll_to(y=scroll, animate=False)

    @on(OptionList.OptionHighlighted, "#msel-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        inject, index = parse_option_id(event.option.id or "")
        self.post_message(MselSelected(inject, index))
