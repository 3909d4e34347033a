"""The selected body: its nodes and their states, the services they carry, recent events, and the
buttons for the players' decisions on it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from ...i18n import pick, t
from ...model.durations import format_offset
from ...narration import number
from ...viewmodel import STATE_GLYPH, describe
from ..messages import NodeSelected
from .base import STATE_COMPONENTS, DrillWidgetMixin

# (action, label key): one button per decision, each calling the same action as its key
BUTTONS = (
    ("isolate", "tui.btn_isolate"),
    ("reconnect", "tui.btn_reconnect"),
    ("cut_link", "tui.btn_cut_link"),
    ("restore_link", "tui.btn_restore_link"),
    ("block_trust", "tui.btn_block_trust"),
    ("reimage", "tui.btn_reimage"),
    ("restore", "tui.btn_restore"),
    ("offline", "tui.btn_offline"),
    ("online", "tui.btn_online"),
    ("escalate", "tui.btn_escalate"),
)
BODY_OPTION = "__body__"


class NodeList(DrillWidgetMixin, OptionList):
    COMPONENT_CLASSES = STATE_COMPONENTS


class BodyDetail(DrillWidgetMixin, Horizontal):
    COMPONENT_CLASSES = STATE_COMPONENTS | {"detail--muted", "detail--down"}

    def __init__(self, public: bool = False, buttons: bool = True, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._public = public
        self._buttons = buttons
        self._shown: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-main"):
            yield Static("", id="detail-head")
            yield NodeList(id="detail-nodes", compact=True)
            yield Static("", id="detail-info")
        if self._buttons:
            with Vertical(id="detail-actions"):
                for action, key in BUTTONS:
                    yield Button(
                        t(key), action=f"app.{action}", compact=True, id=f"btn-{action.replace('_', '-')}"
                    )

    def on_mount(self) -> None:
        self.border_title = t("tui.panel_body")
        self.refresh_view(force=True)

    def relabel(self) -> None:
        self.border_title = t("tui.panel_body")
        if self._buttons:
            for action, key in BUTTONS:
                self.query_one(f"#btn-{action.replace('_', '-')}", Button).label = t(key)
        self.refresh_view(force=True)

    def refresh_view(self, force: bool = False) -> None:
        app = self.dapp
        vm = app.vm
        site = app.selection.site
        nodes_list = self.query_one(NodeList)
        if site is None or site not in app.scenario.city.sites:
            self.query_one("#detail-head", Static).update(t("tui.detail_none"))
            nodes_list.clear_options()
            self.query_one("#detail-info", Static).update("")
            self._shown = ()
            return
        key = (
            id(vm),
            site,
            vm.site_version.get(site, 0),
            app.selection.node,
            len(vm.services_down),
            app.lang_epoch,
        )
        if key == self._shown and not force:
            return
        self._shown = key
        city = app.scenario.city
        worst = vm.body_worst(site, self.public)
        share = vm.body_share(site, self.public)
        head = Text()
        head.append(pick(city.sites[site].name.model_dump()), "bold")
        head.append("  ")
        head.append(
            f"{STATE_GLYPH[worst]} {t(f'tui.state_{worst}')}", self.component_style(f"state--{worst}")
        )
        head.append("\n")
        head.append(
            t(
                "tui.detail_share",
                share=f"{number(round(share * 100))}%",
                hosts=number(vm.site_hosts.get(site, 0)),
            ),
            self.component_style("detail--muted"),
        )
        head.append(" · ")
        if site in vm.disconnected:
            head.append(t("tui.wan_cut"), self.component_style("detail--down"))
        else:
            head.append(t("tui.wan_ok"), self.component_style("detail--muted"))
        self.query_one("#detail-head", Static).update(head, layout=False)
        self._fill_nodes(site, nodes_list)
        self._fill_info(site)

    def _fill_nodes(self, site: str, nodes_list: NodeList) -> None:
        app = self.dapp
        vm = app.vm
        city = app.scenario.city
        options = [Option(Text(t("tui.detail_whole_body"), style="italic"), id=BODY_OPTION)]
        nodes = city.nodes_by_site.get(site, ())
        width = min(24, max((len(n) for n in nodes), default=8))
        # the counts as wide as this body's largest, so the state's words keep their room
        digits = max((len(number(city.nodes[n].hosts)) for n in nodes), default=1)
        for node in nodes:
            state = vm.nodes[node]
            label = vm.node_label(node, self.public)
            row = Text(no_wrap=True, overflow="ellipsis")
            row.append(f"{STATE_GLYPH.get(label, '·')} ", nodes_list.component_style(f"state--{label}"))
            infected = state.infected if (not self.public or state.detected) else 0
            count = f"{number(infected):>{digits}}/{number(state.hosts):<{digits}}"
            row.append(f"{node:<{width}.{width}} {count} ")
            if state.working:
                row.append("⚙ ", nodes_list.component_style("state--working"))
            row.append(t(f"tui.state_{label}"), nodes_list.component_style(f"state--{label}"))
            options.append(Option(row, id=node))
        highlighted = nodes_list.highlighted_option.id if nodes_list.highlighted_option else None
        scroll = nodes_list.scroll_y
        nodes_list.set_options(options)
        wanted = app.selection.node or highlighted or BODY_OPTION
        try:
            nodes_list.highlighted = nodes_list.get_option_index(wanted)
        except Exception:  # the node is no longer in this body's list
            nodes_list.highlighted = 0
        nodes_list.scroll_to(y=scroll, animate=False)

    def _fill_info(self, site: str) -> None:
        app = self.dapp
        vm = app.vm
        node = app.selection.node
        out = Text(no_wrap=False)
        if node and node in vm.nodes:
            services = vm.services_of(node)
            if services:
                out.append(t("tui.detail_services") + " ", "bold")
                for i, sid in enumerate(services):
                    if i:
                        out.append(", ")
                    down = sid in vm.services_down
                    out.append(
                        pick(app.scenario.city.services[sid].name.model_dump()),
                        self.component_style("detail--down") if down else "",
                    )
                    if down:
                        out.append(" ↓", self.component_style("detail--down"))
                out.append("\n")
            spec = app.scenario.city.nodes[node]
            kind = t("tui.kind_" + spec.kind.replace("-", "_"))
            out.append(f"{kind} · {spec.zone}", "dim")
            if spec.backup is not None:
                out.append(" · " + t("tui.detail_backup"), "dim")
            if vm.nodes[node].backup_lost:
                out.append(" · " + t("tui.detail_backup_lost"), self.component_style("detail--down"))
            if vm.nodes[node].patched:
                out.append(" · " + t("tui.detail_patched"), self.component_style("state--restored"))
            out.append("\n")
        recent = vm.recent_events(site, node, self.public)[-4:]
        if recent:
            out.append(t("tui.detail_recent") + "\n", "bold")
            for e in reversed(recent):
                out.append(f"{format_offset(e.t)} ", "dim")
                out.append(describe(e, app.scenario, public=self.public) + "\n")
        self.query_one("#detail-info", Static).update(out, layout=False)

    @on(OptionList.OptionHighlighted, "#detail-nodes")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        node = event.option.id if event.option.id != BODY_OPTION else None
        if node != self.dapp.selection.node:
            self.post_message(NodeSelected(node))
