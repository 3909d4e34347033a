"""One team's knowledge in words, for the findings panel (and any view that is not the truth):
the machines it holds for compromised and those it suspects, the techniques and accounts it has
identified, and its investigations with their artefacts. No Textual: lines of (style, text).
"""

from __future__ import annotations

from .i18n import get_language, t
from .model.durations import format_offset
from .model.load import Scenario
from .narration import finding_text, name_of, procedure_name
from .team_knowledge import CONFIRMED, TeamKnowledge

Line = tuple[str, str]  # (a style name: heading, strong, weak, artefact, plain; the text)


def _how(how: str, lang: str) -> str:
    return t(f"tui.how_{how}", lang) if how else ""


def knowledge_lines(scenario: Scenario, k: TeamKnowledge, lang: str | None = None) -> list[Line]:
    """What team ``k.team`` knows, section by section (an empty section says so)."""
    lang = lang or get_language()
    return team_lines(name_of(scenario, "team", k.team, lang), k, lang)


def team_lines(team_name: str, k: TeamKnowledge, lang: str | None = None) -> list[Line]:
    """``knowledge_lines`` for a view that has the team's name but not the scenario (a bridge
    site's console)."""
    lang = lang or get_language()
    out: list[Line] = [("heading", t("tui.know_team", lang, team=team_name))]
    held = [f for f in k.nodes.values() if f.held]
    suspected = [f for f in k.nodes.values() if f.cleared is None and f.certainty != CONFIRMED]
    cleared = [f for f in k.nodes.values() if f.cleared is not None]
    out.append(("strong", t("tui.know_held", lang, count=len(held))))
    for f in held:
        what = ", ".join(f.techniques)
        line = t("tui.know_node", lang, node=f.node, since=format_offset(f.since), how=_how(f.how, lang))
        out.append(("plain", f"  {line}" + (f" · {what}" if what else "")))
    if suspected:
        out.append(("strong", t("tui.know_suspected", lang, count=len(suspected))))
        for f in suspected:
            line = t("tui.know_node", lang, node=f.node, since=format_offset(f.since), how=_how(f.how, lang))
            out.append(("weak", f"  {line}"))
    if cleared:
        out.append(("strong", t("tui.know_cleared", lang, count=len(cleared))))
        for f in cleared:
            out.append(("weak", f"  {f.node} · {format_offset(f.cleared or 0.0)}"))
    for title, table in (("tui.know_techniques", k.techniques), ("tui.know_accounts", k.accounts)):
        out.append(("strong", t(title, lang, count=len(table))))
        for item in table.values():
            where = ", ".join(item.nodes)
            style = "plain" if item.certainty == CONFIRMED else "weak"
            since = format_offset(item.since)
            out.append(
                (
                    style,
                    f"  {item.name} · {since} · {_how(item.how, lang)}" + (f" · {where}" if where else ""),
                )
            )
    out.append(("strong", t("tui.know_investigations", lang, count=len(k.investigations))))
    for e in k.investigations:
        d = e.data
        title = t(
            "tui.know_investigation",
            lang,
            at=format_offset(e.t),
            procedure=procedure_name(str(d.get("procedure", "")), lang),
            examined=d.get("examined", 0),
            found=len(d.get("findings", ())),
        )
        out.append(("plain", f"  {title}"))
        for finding in d.get("findings", ()):
            out.append(
                ("weak" if finding.get("false_lead") else "plain", f"    • {finding_text(finding, lang)}")
            )
            art = finding.get("artefact", {})
            if art.get("line"):
                out.append(("artefact", f"      {art['line']}"))
            if art.get("sha256") and art["sha256"] not in str(art.get("line", "")):
                out.append(("artefact", f"      sha256 {art['sha256']}"))
    return out
