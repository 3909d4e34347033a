"""Loading a scenario with its topology, and checking every reference between them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data import bundled_scenarios, bundled_topologies
from ..diagnostics import Diagnostic, DrillError, nearest, path_text, problems_text
from ..i18n import t
from ..yamlio import MAX_YAML_BYTES, Document, load_json, load_yaml, read_text
from .city import City, build_city, check_selector
from .common import Selector
from .evidence import PROCEDURE_NAMES, SOURCE_NAMES
from .layers import resolve
from .salvage import salvage
from .scenario import ScenarioSpec
from .suggest import suggestion
from .topology import LINK_KINDS, TRAFFIC
from .validation import validate_model


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, the city it runs on, and the hashes that identify both."""

    spec: ScenarioSpec
    city: City
    file: str
    text: str
    topology_text: str

    @property
    def id(self) -> str:
        return self.spec.scenario

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def topology_sha256(self) -> str:
        return hashlib.sha256(self.topology_text.encode("utf-8")).hexdigest()

    def stage_ids(self) -> list[str]:
        return [s.id for c in self.spec.attacker.campaigns for s in c.stages]


def resolve_scenario(name: str | None) -> Path:
    """A scenario path from a bundled id or a file path; default: the bundled default."""
    from ..data import DEFAULT_SCENARIO

    name = name or DEFAULT_SCENARIO
    bundled = bundled_scenarios()
    if name in bundled:
        return bundled[name]
    path = Path(name)
    if path.exists():  # a file; anything else (a pipe, a folder) is refused when it is read
        return path
    msg = t("cli.no_scenario", name=name)
    close = nearest(name, bundled)
    if close:
        msg += t("validate.did_you_mean", names=", ".join(close))
    raise DrillError(msg)


def load_scenario(name_or_path: str | Path | None) -> Scenario:
    """Load a bundled scenario by id, or a scenario file; raise DrillError listing every problem."""
    path = resolve_scenario(str(name_or_path) if name_or_path else None)
    text = read_text(path, MAX_YAML_BYTES, "io.too_large_scenario")
    scenario, problems = parse_scenario(text, str(path), path.parent)
    if scenario is None:
        raise DrillError(problems_text(problems), problems)
    return scenario


def parse_scenario(text: str, file: str, folder: Path) -> tuple[Scenario | None, list[Diagnostic]]:
    doc = load_yaml(text, file)
    return check_scenario_document(doc, text, folder)


def check_scenario_document(
    doc: Document, text: str, folder: Path
) -> tuple[Scenario | None, list[Diagnostic]]:
    problems = list(doc.problems)
    if not isinstance(doc.data, dict):
        problems.append(
            Diagnostic(doc.file, 1, 1, "", t("validate.want_document", what=t("validate.what_scenario")))
        )
        return None, problems
    spec, errors = validate_model(doc, ScenarioSpec)
    problems.extend(errors)
    # names are checked in the same pass, in whatever parts of a misshapen file can still be read
    checked = spec if spec is not None else salvage(ScenarioSpec, doc.data)
    if checked is None or not isinstance(getattr(checked, "topology", None), str):
        return None, sorted(problems)
    city, topo_text = _topology(doc, checked, folder, problems)
    if city is None:
        return None, sorted(problems)
    # a list whose own shape is broken cannot say that a name is missing from it
    broken = {d.path.split(".")[0].split("[")[0] for d in errors}
    try:
        _References(doc, checked, city, problems, broken).check()
    except (TypeError, AttributeError, ValueError):
        # only a misshapen file's leftovers can trip the checks; its shape problems are reported
        if spec is not None:
            raise
    if problems or spec is None:
        return None, sorted(set(problems))
    return Scenario(spec, city, doc.file, text, topo_text), []


def topology_path(spec_topology: str, folder: Path) -> Path | None:
    """The topology file a scenario names: a path inside its folder, else a bundled name."""
    if "\0" in spec_topology:
        return None
    root = folder.resolve()
    try:
        candidate: Path | None = (folder / spec_topology).resolve()
        is_file = candidate is not None and candidate.is_file()
    except (OSError, RuntimeError):  # a name too long, a symlink loop: no file to read there
        candidate, is_file = None, False
    if candidate is not None and is_file:
        if not candidate.is_relative_to(root):
            raise ValueError("outside")
        return candidate
    looks_like_path = "/" in spec_topology or "\\" in spec_topology or spec_topology.startswith("..")
    if looks_like_path and (candidate is None or not candidate.is_relative_to(root)):
        raise ValueError("outside")
    return bundled_topologies().get(spec_topology)


_CITY_CACHE: dict[tuple[str, str], tuple[City, str]] = {}


def _topology(
    doc: Document, spec: ScenarioSpec, folder: Path, problems: list[Diagnostic]
) -> tuple[City | None, str]:
    def at_topology(message: str, code: str = "reference") -> Diagnostic:
        # looked up only for a problem: finding a place in a JSON document walks its text
        line, col = doc.where(("topology",))
        return Diagnostic(doc.file, line, col, "topology", message, code)

    try:
        path = topology_path(spec.topology, folder)
    except ValueError:
        problems.append(at_topology(t("validate.topology_outside", path=spec.topology), "unsafe"))
        return None, ""
    if path is None:
        msg = t("validate.topology_missing", name=spec.topology, path=spec.topology)
        close = nearest(spec.topology, bundled_topologies())
        if close:
            msg += t("validate.did_you_mean", names=", ".join(close))
        problems.append(at_topology(msg))
        return None, ""
    try:
        topo_text = read_text(path, 512 * 1024 * 1024 if path.suffix == ".json" else MAX_YAML_BYTES)
    except DrillError as exc:
        problems.append(at_topology(exc.message))
        return None, ""
    key = (str(path), hashlib.sha256(topo_text.encode("utf-8")).hexdigest())
    if key in _CITY_CACHE:
        return _CITY_CACHE[key]
    try:
        tdoc = load_json(topo_text, str(path)) if path.suffix == ".json" else load_yaml(topo_text, str(path))
        tdoc, full_text = resolve(tdoc, topo_text, path.parent, [path.resolve()])
        city, tproblems = build_city(tdoc)
    except DrillError as exc:
        city, tproblems = None, exc.diagnostics
    if city is None:
        problems.append(at_topology(t("validate.topology_invalid", name=spec.topology)))
        problems.extend(tproblems)
        return None, ""
    _CITY_CACHE[key] = (city, full_text)
    return city, full_text


class _References:
    """Checks that every name a scenario uses exists in it or in its topology."""

    # the scenario's own lists of names, by the top key that holds them
    _HELD_IN = {"team": "teams", "stage": "attacker", "inject": "injects", "playbook": "playbooks"}

    def __init__(
        self,
        doc: Document,
        spec: ScenarioSpec,
        city: City,
        problems: list[Diagnostic],
        broken: Iterable[str] = (),
    ) -> None:
        self.doc, self.spec, self.city, self.problems = doc, spec, city, problems
        self.broken = set(broken)
        self.teams = list(spec.teams or {})
        self.campaigns = list(_items(spec.attacker.campaigns if spec.attacker else ()))
        self.stages = [s.id for _, c in self.campaigns for _, s in _items(c.stages)]
        self.injects = [i.id for _, i in _items(spec.injects)]

    def add(self, path: tuple[Any, ...], message: str, code: str = "reference") -> None:
        line, col = self.doc.where(path)
        self.problems.append(Diagnostic(self.doc.file, line, col, path_text(path), message, code))

    def name(self, path: tuple[Any, ...], what: str, name: str | None, pool: Iterable[str]) -> None:
        if not isinstance(name, str):  # a part of a misshapen file that could not be read
            return
        if self._HELD_IN.get(what) in self.broken:  # its list is misshapen: the name may be there
            return
        pool = list(pool)
        if name not in pool:
            msg = t("validate.unknown_ref", what=t(f"validate.what_{what}"), name=name)
            self.add(path, msg + suggestion(what, name, pool, self.city))

    def selector(self, path: tuple[Any, ...], selector: Selector | None) -> None:
        if not isinstance(selector, Selector):
            return
        for field, message in check_selector(selector, self.city):
            self.add((*path, field) if field else path, message, "selector")

    def duplicates(self, path: tuple[Any, ...], ids: list[str], what: str) -> None:
        seen: set[str] = set()
        for i, name in enumerate(ids):
            if name in seen:
                self.add(
                    (*path, i, "id"), t("validate.duplicate_id", what=t(f"validate.what_{what}"), name=name)
                )
            seen.add(name)

    def check(self) -> None:
        spec, city = self.spec, self.city
        self.name(("unit",), "site", spec.unit, city.sites)
        for i, team in enumerate(spec.audience or ()):
            self.name(("audience", i), "team", team, self.teams)
        for tid, team in (spec.teams or {}).items():
            if team is None:
                continue
            if team.watches:
                for what in ("site", "zone", "kind", "group", "tag"):
                    for k, name in enumerate(getattr(team.watches, what)):
                        self.name(("teams", tid, "watches", what, k), what, name, city.names(what))
            if team.playbook:
                self.name(("teams", tid, "playbook"), "playbook", team.playbook, spec.playbooks)
            self._one_of(("teams", tid, "practised"), team.practised or (), PROCEDURE_NAMES)
        campaign_ids = [c.id for _, c in self.campaigns]
        self.duplicates(("attacker", "campaigns"), campaign_ids, "campaign")
        seen: set[str] = set()
        for ci, campaign in self.campaigns:
            local = [s.id for _, s in _items(campaign.stages)]
            for si, stage in _items(campaign.stages):
                base = ("attacker", "campaigns", ci, "stages", si)
                if stage.id in seen and stage.id is not None:
                    self.add(
                        (*base, "id"),
                        t("validate.duplicate_id", what=t("validate.what_stage"), name=stage.id),
                    )
                seen.add(stage.id)
                if stage.after:
                    self.name((*base, "after"), "stage", stage.after.stage, local)
                self.selector((*base, "targets"), stage.targets)
                for k, kind in enumerate(stage.over or ()):
                    if isinstance(kind, str) and kind not in LINK_KINDS:
                        self.add(
                            (*base, "over", k),
                            t("validate.not_one_of", value=kind, choices=", ".join(LINK_KINDS))
                            + _near(kind, LINK_KINDS),
                            "unknown-name",
                        )
                for k, traffic in enumerate(stage.via or ()):
                    if isinstance(traffic, str) and traffic not in TRAFFIC:
                        self.add(
                            (*base, "via", k),
                            t("validate.not_one_of", value=traffic, choices=", ".join(TRAFFIC))
                            + _near(traffic, TRAFFIC),
                            "unknown-name",
                        )
                self._one_of((*base, "leaves"), stage.leaves or (), SOURCE_NAMES)
                if stage.at is not None and stage.targets is None and not stage.over:
                    self.add(base, t("validate.stage_needs_targets", stage=stage.id))
        for i, rule in _items(spec.detection):
            self.selector(("detection", i, "targets"), rule.targets)
        for technique, sources in (spec.evidence or {}).items():
            self._one_of(("evidence", technique), sources or (), SOURCE_NAMES)
        for i, planted in _items(spec.planted):
            self.name(("planted", i, "node"), "node", planted.node, city.nodes)
        for i, identify in _items(spec.identify):
            self.name(("identify", i, "stage"), "stage", identify.stage, self.stages)
            if identify.by:
                self.name(("identify", i, "by"), "team", identify.by, self.teams)
        for i, deadline in _items(spec.deadlines):
            self._whom(("deadlines", i), deadline.by, deadline.to)
        self.duplicates(("injects",), self.injects, "inject")
        for i, inject in _items(spec.injects):
            base = ("injects", i)
            for k, team in enumerate(inject.to or ()):
                self.name((*base, "to", k), "team", team, self.teams)
            if inject.when is not None:
                self._condition((*base, "when"), inject)
            if inject.effect is not None:
                eff = inject.effect
                for key in ("backups_lost", "compromise", "offline", "detect", "suspect"):
                    self.selector((*base, "effect", key), getattr(eff, key))
                if eff.deny is not None:
                    self.selector((*base, "effect", "deny", "targets"), eff.deny.targets)
                if eff.start_stage:
                    self.name((*base, "effect", "start_stage"), "stage", eff.start_stage, self.stages)
                if eff.staff is not None:
                    self.name((*base, "effect", "staff", "team"), "team", eff.staff.team, self.teams)
            for k, exp in _items(inject.expects):
                eb = (*base, "expects", k)
                self.selector((*eb, "target"), exp.target)
                if exp.service:
                    self.name((*eb, "service"), "service", exp.service, city.services)
                self._whom(eb, exp.by, exp.to)
        for i, objective in _items(spec.objectives):
            if objective.service:
                self.name(("objectives", i, "service"), "service", objective.service, city.services)
            if objective.site:
                self.name(("objectives", i, "site"), "site", objective.site, city.sites)

    def _one_of(self, base: tuple[Any, ...], names: Iterable[str], choices: tuple[str, ...]) -> None:
        for k, name in enumerate(names):
            if name not in choices:
                self.add(
                    (*base, k),
                    t("validate.not_one_of", value=name, choices=", ".join(choices)) + _near(name, choices),
                    "unknown-name",
                )

    def _whom(self, base: tuple[Any, ...], by: str | None, to: str | None) -> None:
        if by:
            self.name((*base, "by"), "team", by, self.teams)
        if to:
            self.name((*base, "to"), "team", to, [*self.teams, *self.city.sites])

    def _condition(self, base: tuple[Any, ...], inject: Any) -> None:
        cond = inject.when
        if cond.service_down is not None:
            self.name(
                (*base, "service_down", "service"), "service", cond.service_down.service, self.city.services
            )
        if cond.hosts_compromised is not None and cond.hosts_compromised.site:
            self.name(
                (*base, "hosts_compromised", "site"), "site", cond.hosts_compromised.site, self.city.sites
            )
        if cond.node is not None:
            self.selector((*base, "node", "targets"), cond.node.targets)
        if cond.stage_succeeded:
            self.name((*base, "stage_succeeded"), "stage", cond.stage_succeeded, self.stages)
        if cond.after_inject is not None:
            self.name((*base, "after_inject", "inject"), "inject", cond.after_inject.inject, self.injects)
            if cond.after_inject.inject == inject.id:
                self.add((*base, "after_inject", "inject"), t("validate.inject_self", name=inject.id))


def _items(values: Any) -> Iterable[tuple[int, Any]]:
    """A list's items with their places, skipping those a misshapen file left unreadable."""
    return [(i, v) for i, v in enumerate(values or ()) if v is not None]


def _near(name: str, pool: Iterable[str]) -> str:
    close = nearest(name, pool)
    return t("validate.did_you_mean", names=", ".join(close)) if close else ""
