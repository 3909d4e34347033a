"""``drill new ID``: a starting scenario for a trainer, copied from a bundled one and re-targeted
at another unit (another district, department or the town)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from ..data import bundled_topologies
from ..diagnostics import DrillError, nearest
from ..i18n import pick, t
from ..model.common import ID_PATTERN
from ..model.layers import topology_files
from ..model.load import Scenario, load_scenario, parse_scenario, resolve_scenario, topology_path
from ..model.topology import SiteSpec
from ..outputs import check_output, write_text
from ..schemas import schema_text

DEFAULT_SOURCE = "grassroots-district-drill"
# a ward, commune or township has a desk and PCs, not a district's servers: its own drill
DEFAULT_COMMUNE_SOURCE = "grassroots-commune-drill"
SCHEMA_FILE = "scenario.schema.json"
MODELINE = "# yaml-language-server: $schema="
# what a unit's name starts or ends with when it is a district-level unit: "Ba Vi District",
# "Huyện Ba Vì" → the short form "Ba Vi", "Ba Vì" that texts also use
_EN_SUFFIXES = (" District", " Town", " Ward", " Commune", " Township")
_VI_PREFIXES = ("Quận ", "Huyện ", "Thị xã ", "Phường ", "Xã ", "Thị trấn ")


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help=t("scenarios.new_help"), description=t("scenarios.new_description"))
    p.add_argument("id", metavar="ID", help=t("scenarios.new_id_help"))
    p.add_argument("--from", dest="source", metavar="SCENARIO", help=t("scenarios.new_from_help"))
    p.add_argument("--unit", metavar="SITE", help=t("scenarios.new_unit_help"))
    p.add_argument("-o", "--output", metavar="DIR", default=".", help=t("scenarios.new_output_help"))
    p.add_argument("--force", action="store_true", help=t("scenarios.new_force_help"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not re.fullmatch(ID_PATTERN, args.id):
        raise DrillError(t("scenarios.new_bad_id", id=args.id))
    source_name = args.source or DEFAULT_SOURCE
    source_path = resolve_scenario(source_name)
    source = load_scenario(source_path)
    unit = args.unit or source.spec.unit
    if not args.source and unit in source.city.sites and source.city.sites[unit].kind == "commune":
        source_path = resolve_scenario(DEFAULT_COMMUNE_SOURCE)
        source = load_scenario(source_path)
    if unit not in source.city.sites:
        close = nearest(unit, source.city.sites)
        msg = t("scenarios.new_unknown_unit", unit=unit)
        if close:
            msg += t("validate.did_you_mean", names=", ".join(close))
        raise DrillError(msg)
    folder = Path(args.output)
    target = folder / f"{args.id}.yaml"
    if folder.is_dir():  # else it is made below
        check_output(
            target,
            inputs=[source_path],
            force=args.force,
            exists=t("scenarios.new_exists", file=str(target)),
            what="scenarios.new_cannot_write",
        )
    text, copies = retarget(source, source_path, unit, args.id, folder)
    for copy, _original in copies:
        if copy.exists() and copy.read_bytes() != _original.read_bytes() and not args.force:
            raise DrillError(t("scenarios.new_topology_differs", file=str(copy)))
    # the topology is copied beside it unchanged: check the copy against the source's
    _, problems = parse_scenario(text, str(target), source_path.parent if copies else folder)
    if problems:
        site = source.city.sites[unit]
        lines = [t("scenarios.new_cannot_host", unit=unit, name=_name(site), source=source.id)]
        lines += ["  " + d.format() for d in problems]
        lines.append(t("scenarios.new_cannot_host_hint"))
        raise DrillError("\n".join(lines), problems)
    schema = folder / SCHEMA_FILE  # what the modeline points at: this drill's schema, beside the file
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DrillError(
            t("scenarios.new_cannot_write", file=str(target), reason=exc.strerror or str(exc))
        ) from exc
    write_text(target, text, what="scenarios.new_cannot_write")
    for copy, original in copies:
        if not (copy.exists() and copy.read_bytes() == original.read_bytes()):
            copy.parent.mkdir(parents=True, exist_ok=True)
            write_text(copy, original.read_text(encoding="utf-8"), what="scenarios.new_cannot_write")
            print(t("scenarios.new_topology_copied", file=str(copy)))
    write_text(schema, schema_text("scenario"), what="scenarios.new_cannot_write")
    print(
        t(
            "scenarios.new_written",
            file=str(target),
            source=source.id,
            unit=unit,
            name=_name(source.city.sites[unit]),
        )
    )
    print(t("scenarios.new_schema_written", schema=str(schema)))
    print(t("scenarios.new_next", file=str(target)))
    return 0


def _name(site: SiteSpec) -> str:
    return pick(site.name.model_dump())


def retarget(
    source: Scenario, source_path: Path, unit: str, new_id: str, folder: Path
) -> tuple[str, list[tuple[Path, Path]]]:
    """The source scenario's text for ``unit`` under ``new_id``, its comments kept, and the
    topology files to copy beside it (where, from where) when its topology is not bundled."""
    city = source.city
    old_site = city.sites[source.spec.unit]
    new_site = city.sites[unit]
    text = source.text
    if old_site.id != new_site.id:
        moves = _moves(city, old_site, new_site)
        text = _rewrite_ids(text, moves, set(city.sites))
        for old_unit, new_unit in moves.items():
            for old, new in _name_pairs(city.sites[old_unit], city.sites[new_unit]):
                text = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, text)
    text = re.sub(r"(?m)^scenario:[^\n#]*", f"scenario: {new_id}", text, count=1)
    name, copies = _topology_ref(source, source_path, folder)
    text = re.sub(r"(?m)^topology:[^\n#]*", f"topology: {name}", text, count=1)
    return _header(source, new_site) + _without_modeline(text), copies


def _moves(city: Any, old: SiteSpec, new: SiteSpec) -> dict[str, str]:
    """The units whose ids change: the unit, and a commune's district with it (a commune's drill
    also names its district's desk); the unit first, the longer id."""
    moves = {old.id: new.id}
    if old.parent and new.parent and old.parent != new.parent and old.parent != new.id:
        moves[old.parent] = new.parent
    return moves


_TOKEN = re.compile(r"(?<![a-z0-9_.-])[a-z0-9][a-z0-9_.-]*")


def _rewrite_ids(text: str, moves: dict[str, str], sites: set[str]) -> str:
    """Each id-like word that belongs to a moved unit, re-pointed at its new one: the unit's id
    itself or an id made from it (ba-vi-onestop, ba-vi-it). A word belongs to the longest unit id
    it starts with, so ba-vi-tan-linh-desk belongs to Tan Linh, not to Ba Vi."""

    def owner(word: str) -> str | None:
        best = None
        for end in [len(word)] + [i for i, c in enumerate(word) if c == "-"]:
            head = word[:end]
            if head in sites and (best is None or len(head) > len(best)):
                best = head
        return best

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        unit = owner(word)
        if unit is None or unit not in moves:
            return word
        return moves[unit] + word[len(unit) :]

    return _TOKEN.sub(swap, text)


def _name_pairs(old: SiteSpec, new: SiteSpec) -> list[tuple[str, str]]:
    """Names to replace, longest first: full names, then the short forms texts also use."""
    pairs = [(old.name.en, new.name.en), (old.name.vi, new.name.vi)]
    old_en, new_en = (
        _short(old.name.en, _EN_SUFFIXES, suffix=True),
        _short(new.name.en, _EN_SUFFIXES, suffix=True),
    )
    old_vi, new_vi = (
        _short(old.name.vi, _VI_PREFIXES, suffix=False),
        _short(new.name.vi, _VI_PREFIXES, suffix=False),
    )
    if old_en:
        pairs.append((old_en, new_en or new.name.en))
    if old_vi:
        pairs.append((old_vi, new_vi or new.name.vi))
    return [(a, b) for a, b in pairs if a and a != b]


def _short(name: str, affixes: tuple[str, ...], suffix: bool) -> str:
    for affix in affixes:
        if suffix and name.endswith(affix):
            return name[: -len(affix)]
        if not suffix and name.startswith(affix):
            return name[len(affix) :]
    return ""


def _topology_ref(source: Scenario, source_path: Path, folder: Path) -> tuple[str, list[tuple[Path, Path]]]:
    """How the copy names its topology so that it still resolves from ``folder``: a bundled name
    when the source's topology is a bundled one, else the same file (and the files it extends)
    copied beside the copy, at the same place relative to it."""
    name = source.spec.topology
    bundled = bundled_topologies()
    try:
        used = topology_path(name, source_path.parent)
    except ValueError:
        used = None
    if used is None:
        raise DrillError(t("scenarios.new_topology", topology=name, folder=str(folder)))
    for bname, bpath in bundled.items():
        if bpath.resolve() == used.resolve():
            return bname, []
    root = source_path.parent.resolve()
    copies = []
    for original in topology_files(used):
        copy = folder / original.resolve().relative_to(root)
        if copy.resolve() != original.resolve():
            copies.append((copy, original))
    return name, copies


def _without_modeline(text: str) -> str:
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith(MODELINE):
        lines = lines[1:]
    return "".join(lines)


def _header(source: Scenario, site: SiteSpec) -> str:
    """The modeline (its schema is written beside the file), then where the copy came from."""
    lines = [f"{MODELINE}{SCHEMA_FILE}"]
    lines.append("# " + t("scenarios.new_made_from", source=source.id, unit=site.id, name=_name(site)))
    return "\n".join(lines) + "\n"
