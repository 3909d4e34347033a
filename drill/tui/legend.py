"""What the glyphs on the map, the body's list and the feed mean: one table for the map's border
and the help."""

from __future__ import annotations

from rich.cells import cell_len

from ..i18n import t

# (glyph, what it says) in the order a reader meets them, worst first
MAP_LEGEND: tuple[tuple[str, str], ...] = (
    ("✖", "legend_damaged"),
    ("▲", "legend_exfiltrating"),
    ("●", "legend_compromised"),
    ("≈", "legend_flooded"),
    ("■", "legend_isolated"),
    ("○", "legend_offline"),
    ("✓", "legend_cleaned"),
    ("⚙", "legend_working"),
    ("·", "legend_clean"),
)
# the players never see data leaving (it takes an investigation) nor work in the body's list
PLAYERS_LEGEND = tuple(
    (g, "legend_no_alert" if key == "legend_clean" else key)
    for g, key in MAP_LEGEND
    if key not in ("legend_exfiltrating", "legend_working")
)
# the facilitator's map through a team's lens: what a team can know of a machine
LENS_LEGEND: tuple[tuple[str, str], ...] = (
    ("●", "legend_compromised"),
    ("?", "legend_suspected"),
    ("■", "legend_isolated"),
    ("·", "legend_no_alert"),
)
FEED_LEGEND: tuple[tuple[str, str], ...] = (
    ("✖", "sev_critical"),
    ("▲", "sev_warning"),
    ("•", "sev_notice"),
)


def legend_line(public: bool = False, width: int = 0, lens: bool = False) -> str:
    """``✖ damaged  ● compromised …``: the map's border; with ``width``, as many as fit, and
    where to read the rest; ``lens``: the legend of a team's knowledge."""
    table = LENS_LEGEND if lens else (PLAYERS_LEGEND if public else MAP_LEGEND)
    items = [f"{glyph} {t('tui.' + key)}" for glyph, key in table]
    line = "  ".join(items)
    if not width or cell_len(line) <= width:
        return line
    more = " " + t("tui.legend_more")
    shown: list[str] = []
    for item in items:
        if cell_len("  ".join([*shown, item]) + more) > width:
            break
        shown.append(item)
    return "  ".join(shown) + more
