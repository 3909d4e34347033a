"""The network: one tile per body, grouped the way the city is, each showing its worst state and
the share of its hosts compromised. Select one to see its nodes.

One widget draws every tile line by line (Textual's line API): a city of a thousand bodies costs
what a screenful of them does, and a change of state restyles a tile without a layout pass. The
tiles' colours are the component classes ``tile--<state>`` in the stylesheet."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...i18n import pick, t
from ...knowledge import NO_ALERT
from ...narration import name_of, number
from ...viewmodel import COMPROMISED_STATES, STATE_GLYPH, STATE_ORDER, short_name
from ..legend import legend_line
from ..messages import BodySelected
from .base import DrillWidgetMixin

# site groups shown together as "the city's common part"
CITY_GROUPS = ("core", "datacentre", "portal", "external")
# states of a ward or commune that leave its district's group closed
QUIET = frozenset({"clean", NO_ALERT})
TILE_WIDTH = 18  # cells per tile at least; tiles share a row's spare width


class NetworkMap(DrillWidgetMixin, ScrollView, can_focus=True):
    """Tiles by group; arrow keys move between them, Enter opens the body, a click selects."""

    COMPONENT_CLASSES = {f"tile--{s}" for s in STATE_ORDER} | {
        "tile--cursor",
        "tile--selected",
        "tile--marker",
        "tile--cut",
        "network--group",
    }
    BINDINGS = [
        Binding("left", "move(-1, 0)", show=False),
        Binding("right", "move(1, 0)", show=False),
        Binding("up", "move(0, -1)", show=False),
        Binding("down", "move(0, 1)", show=False),
        Binding("enter", "open", show=False),
        Binding("z", "toggle_units", show=False),
    ]

    def __init__(self, public: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._public = public
        self.cursor: str | None = None  # the tile the keyboard is on (the view's state)
        self.columns = 1
        self.tile_width = TILE_WIDTH
        self.tall = False
        # each line: ("group", name, count) or ("tiles", sites, 0 or 1 for a tile's second line)
        self._lines: list[tuple[str, object, int]] = []
        self._line_of: dict[str, int] = {}
        self._cache: dict[int, Strip] = {}
        self._styles: dict[tuple[str, ...], Style] = {}
        self.opened: set[str] = set()  # districts whose wards and communes the facilitator opened
        self.closed: set[str] = set()  # … and closed (the selected district's open by themselves)
        self._children: tuple[object, dict[str, list[str]]] | None = None
        self._shown: list[str] = []
        self._busy_units: set[str] | None = None  # wards and communes with something to see

    # ------------------------------------------------------------ layout
    def units_under(self) -> dict[str, list[str]]:
        """Per body, the bodies under it (a district's wards and communes), in topology order."""
        city = self.dapp.scenario.city
        if self._children is None or self._children[0] is not city:
            under: dict[str, list[str]] = {}
            for sid, site in city.sites.items():
                if site.parent and site.parent in city.sites and site.parent != sid:
                    under.setdefault(site.parent, []).append(sid)
            self._children = (city, under)
        return self._children[1]

    def open_parents(self) -> list[str]:
        """The districts whose wards and communes are shown: opened with ``z``, the one of the
        selected body, and those with a ward or commune in a state worth seeing (in their order);
        ``z`` closes one again, unless something is happening there."""
        under = self.units_under()
        selected = self.dapp.selection.site
        city = self.dapp.scenario.city
        shown = []
        if self._busy_units is None:
            self._refresh_busy(None)
        busy_units = self._busy_units or set()
        for parent, kids in under.items():
            busy = any(k in busy_units for k in kids)
            holds_selection = selected in kids or (selected == parent and parent not in self.closed)
            if busy or parent in self.opened or holds_selection:
                shown.append(parent)
        return [p for p in city.sites if p in shown]

    def _refresh_busy(self, sites: list[str] | None) -> None:
        """Which wards and communes have something to see: all of them (``None``), or only the
        bodies whose state just changed."""
        nested = {kid for kids in self.units_under().values() for kid in kids}
        if sites is None or self._busy_units is None:
            self._busy_units = {k for k in nested if self._busy(k)}
            return
        for site in sites:
            if site in nested:
                if self._busy(site):
                    self._busy_units.add(site)
                else:
                    self._busy_units.discard(site)

    def _busy(self, site: str) -> bool:
        """Something to see on a ward or commune: a node not quiet, or cut off (looked at for all
        584 on each change of state: only the nodes' words, not the tile's figures)."""
        vm, public = self.dapp.vm, self.public
        if site in vm.disconnected:
            return True
        return any(
            vm.node_label(n, public) not in QUIET for n in self.dapp.scenario.city.nodes_by_site.get(site, ())
        )

    def groups(self) -> list[tuple[str, list[str]]]:
        """The groups of tiles: the city's common part, departments, districts, then the wards and
        communes of each open district (a group named ``of:<district>``); the others are counted
        on one line (a group ``units`` with no tiles)."""
        city = self.dapp.scenario.city
        under = self.units_under()
        nested = {kid for kids in under.values() for kid in kids}
        order: list[str] = []
        members: dict[str, list[str]] = {}
        for sid, site in city.sites.items():
            if sid in nested:
                continue
            group = "city" if site.group in CITY_GROUPS else site.group
            if group not in members:
                order.append(group)
                members[group] = []
            members[group].append(sid)
        if "city" in order:
            order.remove("city")
            order.insert(0, "city")
        out = [(g, members[g]) for g in order]
        if under:
            out.append(("units", []))
            out.extend((f"of:{parent}", under[parent]) for parent in self.open_parents())
        return out

    def sites(self) -> list[str]:
        return [s for _, sites in self.groups() for s in sites]

    def toggle_units(self) -> None:
        """Show or hide the wards and communes of the selected district (or of the selected
        ward's district)."""
        city = self.dapp.scenario.city
        site = self.cursor or self.dapp.selection.site
        if site is None or site not in city.sites:
            return
        parent = city.sites[site].parent or site
        if parent not in self.units_under():
            self.app.notify(t("tui.units_none", name=short_name(pick(city.sites[site].name.model_dump()))))
            return
        if parent in self.open_parents():
            self.opened.discard(parent)
            self.closed.add(parent)
            if self.cursor in self.units_under()[parent]:
                self.cursor = parent
        else:
            self.closed.discard(parent)
            self.opened.add(parent)
        self._arrange()
        if self.cursor:
            self.choose(self.cursor)

    def on_mount(self) -> None:
        self.cursor = self.dapp.selection.site
        self._label()
        self._arrange()

    def on_resize(self, event: events.Resize) -> None:
        self._label()
        self._arrange()

    def _label(self) -> None:
        lens = "" if self.public else self.dapp.vm.lens
        if lens:
            self.border_title = t("tui.panel_network_lens", team=name_of(self.dapp.scenario, "team", lens))
        else:
            self.border_title = t("tui.panel_network_public" if self.public else "tui.panel_network")
        self.border_subtitle = legend_line(self.public, max(0, self.size.width - 6), lens=bool(lens))

    def _arrange(self) -> None:
        """Tiles per row from the width; two-line tiles (the state in words) when they fit."""
        region = self.scrollable_content_region
        width = max(TILE_WIDTH, region.width - 2)
        self.columns = max(1, (width + 1) // (TILE_WIDTH + 1))
        self.tile_width = (width - (self.columns - 1)) // self.columns
        groups = self.groups()
        self._shown = self.open_parents() if self.units_under() else []
        rows = sum(-(-len(sites) // self.columns) for _, sites in groups)
        self.tall = rows * 2 + len(groups) <= region.height
        lines: list[tuple[str, object, int]] = []
        line_of: dict[str, int] = {}
        units = sum(len(kids) for kids in self.units_under().values())
        for group, sites in groups:
            lines.append(("group", group, units if group == "units" else len(sites)))
            for start in range(0, len(sites), self.columns):
                row = sites[start : start + self.columns]
                for site in row:
                    line_of[site] = len(lines)
                lines.append(("tiles", row, 0))
                if self.tall:
                    lines.append(("tiles", row, 1))
        self._lines, self._line_of = lines, line_of
        self.virtual_size = Size(width + 2, len(lines))
        self._cache.clear()
        self.refresh()

    # ------------------------------------------------------------ what a tile shows
    def tile_state(self, site: str) -> tuple[str, float, bool]:
        vm = self.dapp.vm
        return vm.body_worst(site, self.public), vm.body_share(site, self.public), site in vm.disconnected

    def tile_classes(self, site: str) -> set[str]:
        """The tile's state as classes (``-encrypted``, ``-compromised``, ``-isolated`` …)."""
        worst, _share, cut = self.tile_state(site)
        out = {f"-{worst}"}
        if worst in COMPROMISED_STATES:
            out.add("-compromised")
        if cut:
            out.add("-disconnected")
        if self.dapp.selection.site == site:
            out.add("-selected")
        return out

    def tile_text(self, site: str, line: int) -> str:
        worst, share, cut = self.tile_state(site)
        name = short_name(pick(self.dapp.scenario.city.sites[site].name.model_dump()))
        pct = f"{number(max(1, round(share * 100)))}%" if share > 0 else ""
        glyph = STATE_GLYPH.get(worst, "·")
        if not self.tall:
            return f"{glyph} {pct + ' ' if pct else ''}{name}"
        if line == 0:
            return f"{glyph} {name}"
        # nothing seen on it: nothing to say (the legend names the dot; a wall of "no alert"
        # on the projector would drown the bodies that have one)
        state = "" if worst == NO_ALERT else t(f"tui.state_{worst}")
        if cut:
            state = f"{state} · {t('tui.wan_cut')}" if state else t("tui.wan_cut")
        return f"  {state} {pct}".rstrip()

    def _style(self, *names: str) -> Style:
        style = self._styles.get(names)
        if style is None:
            style = Style()
            for name in names:
                style += self.get_component_rich_style(name, partial=True, default=Style())
            self._styles[names] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    # ------------------------------------------------------------ drawing
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        strip = self._cache.get(index)
        if strip is None:
            strip = self._render_row(index)
            self._cache[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _render_row(self, index: int) -> Strip:
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(self.virtual_size.width, base)
        kind, payload, part = self._lines[index]
        if kind == "group":
            text = f" {self._group_name(str(payload))} ({part})"
            return Strip([Segment(text, base + self._style("network--group"))])
        segments: list[Segment] = []
        selected = self.dapp.selection.site
        assert isinstance(payload, list)
        for site in payload:
            worst, _share, cut = self.tile_state(site)
            names = [f"tile--{worst}"]
            if cut:
                names.append("tile--cut")
            # the selected tile keeps its state's colour: a marker in the gap before it and a
            # bold name say which it is (a reversed tile lost its colour)
            cursor = site == self.cursor and self.has_focus
            if cursor or site == selected:
                names.append("tile--cursor" if cursor else "tile--selected")
                marker = "▶" if cursor else "▸"
                segments.append(Segment(marker if part == 0 else "▐", base + self._style("tile--marker")))
            else:
                segments.append(Segment(" ", base))
            text = self.tile_text(site, part)
            cells = Segment(text).cell_length
            if cells > self.tile_width:
                text = _crop(text, self.tile_width - 1) + "…"
            text += " " * max(0, self.tile_width - Segment(text).cell_length)
            segments.append(Segment(text, base + self._style(*names)))
        return Strip(segments)

    def _group_name(self, group: str) -> str:
        if group.startswith("of:"):
            parent = self.dapp.scenario.city.sites[group[3:]]
            return t("tui.group_units_of", name=pick(parent.name.model_dump()))
        key = f"tui.group_{group}"
        name = t(key)
        return name if name != key else group

    def refresh_view(self, force: bool = False) -> None:
        dirty = self.dapp.vm.take_dirty_sites()
        selected = self.dapp.selection.site
        moved = selected != getattr(self, "_drawn_selection", None)
        if self.units_under() and (force or dirty):
            self._refresh_busy(None if force else dirty)
        if (force or dirty or moved) and self.units_under() and self.open_parents() != self._shown:
            self._drawn_selection = selected
            self._arrange()  # wards and communes came into view or left it
            return
        if moved:
            self._drawn_selection = selected
            force = True  # the selected tile moved: both are drawn again
        if force or dirty:
            self._cache.clear()
            self.refresh()

    def focus_body(self, site: str) -> None:
        """Bring a body into view and onto the cursor, opening its district's wards and communes
        (the palette's "show" finds any of them by name)."""
        parent = self.dapp.scenario.city.sites[site].parent
        if parent:
            self.closed.discard(parent)
            self.opened.add(parent)
            self._arrange()
        self.focus()
        self.choose(site)

    def relabel(self) -> None:
        self._label()
        self._cache.clear()
        self.refresh()

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    # ------------------------------------------------------------ choosing
    def site_at(self, x: int, y: int) -> str | None:
        index = y + self.scroll_offset.y
        if not 0 <= index < len(self._lines):
            return None
        kind, payload, _ = self._lines[index]
        if kind != "tiles" or x < 1:
            return None
        column = (x - 1) // (self.tile_width + 1)
        assert isinstance(payload, list)
        return payload[column] if column < len(payload) else None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        site = self.site_at(offset.x, offset.y) if offset is not None else None
        if site is not None:
            self.focus()
            self.choose(site, open_detail=event.chain > 1)

    def choose(self, site: str, open_detail: bool = False) -> None:
        self.cursor = site
        self._cache.clear()
        self.refresh()
        line = self._line_of.get(site, 0)
        self.scroll_to_region(Region(0, line, 1, 2 if self.tall else 1), animate=False)
        self.post_message(BodySelected(site, open_detail=open_detail))

    def focus_site(self, site: str | None) -> None:
        sites = self.sites()
        if sites:
            self.cursor = site if site in sites else sites[0]
        self.focus()
        if self.cursor:
            self.scroll_to_region(
                Region(0, self._line_of.get(self.cursor, 0), 1, 2 if self.tall else 1), animate=False
            )

    def action_move(self, dx: int, dy: int) -> None:
        sites = self.sites()
        if not sites:
            return
        if self.cursor not in sites:
            self.choose(sites[0])
            return
        assert self.cursor is not None
        if dx:
            index = max(0, min(len(sites) - 1, sites.index(self.cursor) + dx))
            self.choose(sites[index])
            return
        # up or down: the tile in the same column of the row above or below
        rows = [payload for kind, payload, part in self._lines if kind == "tiles" and part == 0]
        row_index = next(i for i, row in enumerate(rows) if self.cursor in row)  # type: ignore[operator]
        column = rows[row_index].index(self.cursor)  # type: ignore[union-attr]
        target = row_index + dy
        if 0 <= target < len(rows):
            row = rows[target]
            assert isinstance(row, list)
            self.choose(row[min(column, len(row) - 1)])

    def action_toggle_units(self) -> None:
        self.toggle_units()

    def action_open(self) -> None:
        if self.cursor:
            self.choose(self.cursor, open_detail=True)


def _crop(text: str, cells: int) -> str:
    out = ""
    for char in text:
        if Segment(out + char).cell_length > cells:
            break
        out += char
    return out
