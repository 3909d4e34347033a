"""The city model: a validated topology turned into a networkx graph with typed attributes."""

from __future__ import annotations

import contextlib
import fnmatch
import json
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import TypeAdapter, ValidationError

from ..diagnostics import Diagnostic, DrillError, nearest, path_text, problems_text
from ..i18n import t
from ..yamlio import Document, paused_gc
from .common import Id, Selector, Text
from .layers import load_topology
from .topology import TRAFFIC_LINKS, TRANSIT_KINDS, LinkSpec, NodeSpec, ServiceSpec, SiteSpec, TopologySpec
from .validation import diagnostics_for, validate_model


@dataclass
class City:
    """A loaded topology: specs by id, in file order, and the graph built from them."""

    spec: TopologySpec
    file: str
    sites: dict[str, SiteSpec]
    nodes: dict[str, NodeSpec]
    links: list[LinkSpec]
    services: dict[str, ServiceSpec]
    graph: nx.Graph
    nodes_by_site: dict[str, list[str]] = field(default_factory=dict)
    service_nodes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    service_order: list[str] = field(default_factory=list)
    gateways: dict[str, str] = field(default_factory=dict)
    _selected: dict[Selector, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.spec.topology

    def is_transit(self, node: str) -> bool:
        return self.nodes[node].kind in TRANSIT_KINDS

    def reached_through(self) -> dict[str, list[str]]:
        """Per service, the nodes through which its users reach it: its own, or for a service that
        runs on none (an online public service), those of the services it needs."""
        runs_on: dict[str, list[str]] = {}
        for sid in self.service_order:  # each after the services it needs
            own = list(self.service_nodes.get(sid, ()))
            if not own:
                for dep in self.services[sid].requires.services:
                    own.extend(n for n in runs_on.get(dep, ()) if n not in own)
            runs_on[sid] = own
        return runs_on

    def select(self, selector: Selector) -> list[str]:
        """Node ids matching ``selector``, in topology order (a fresh list: callers may keep it)."""
        hit = self._selected.get(selector)
        if hit is None:
            groups = {sid: site.group for sid, site in self.sites.items()}
            hit = tuple(n.id for n in self.nodes.values() if matches(selector, n, groups[n.site]))
            if len(self._selected) < 4096:  # selectors are few; a bound keeps a fuzzer's flood small
                self._selected[selector] = hit
        return list(hit)

    def names(self, what: str) -> list[str]:
        if what == "node":
            return list(self.nodes)
        if what == "site":
            return list(self.sites)
        if what == "kind":
            return sorted({n.kind for n in self.nodes.values()})
        if what == "zone":
            return sorted({n.zone for n in self.nodes.values()})
        if what == "tag":
            return sorted({tag for n in self.nodes.values() for tag in n.tags})
        if what == "group":
            return sorted({s.group for s in self.sites.values()})
        if what == "service":
            return list(self.services)
        return []


def matches(selector: Selector, node: NodeSpec, group: str) -> bool:
    if selector.node and node.id not in selector.node:
        return False
    if selector.site and node.site not in selector.site:
        return False
    if selector.kind and node.kind not in selector.kind:
        return False
    if selector.zone and node.zone not in selector.zone:
        return False
    if selector.tag and not any(tag in node.tags for tag in selector.tag):
        return False
    if selector.group and group not in selector.group:
        return False
    return not selector.match or any(fnmatch.fnmatchcase(node.id, pattern) for pattern in selector.match)


def check_selector(selector: Selector, city: City) -> list[tuple[str, str]]:
    """Problems with a selector as (field, message): unknown names, or nothing matched."""
    from .suggest import suggestion  # suggest reads a City: imported when one is checked

    problems = []
    partial = False  # a selector rebuilt from a misshapen file may hold values it could not read
    for what in ("node", "site", "kind", "zone", "tag", "group", "match"):
        known = set(city.names(what))
        for name in getattr(selector, what):
            if not isinstance(name, str):
                partial = True
            elif what != "match" and name not in known:
                msg = t("validate.unknown_ref", what=t(f"validate.what_{what}"), name=name)
                problems.append((what, msg + suggestion(what, name, city.names(what), city)))
    if not problems and not partial and not city.select(selector):
        problems.append(("", t("validate.selector_empty", selector=selector.describe())))
    return problems


# ---------------------------------------------------------------- loading


def load_city(path: Path | str) -> City:
    """Load and check a topology file; raise DrillError listing every problem."""
    doc, _text = load_topology(path)
    city, problems = build_city(doc)
    if problems or city is None:
        raise DrillError(problems_text(problems), problems)
    return city


@paused_gc()
def build_city(doc: Document) -> tuple[City | None, list[Diagnostic]]:
    problems = list(doc.problems)
    if any(p.path == "extends" for p in problems):
        return None, problems  # the base it extends is missing or broken: nothing to check it with
    if not isinstance(doc.data, dict):
        problems.append(
            Diagnostic(
                doc.file, 1, 1, "", t("validate.want_document", what=t("validate.what_topology")), "invalid"
            )
        )
        return None, problems
    spec, errors = validate_model(doc, TopologySpec)
    problems.extend(errors)
    if spec is None:
        return None, _sorted(doc, problems)
    if spec.remove is not None and doc.layered is None:  # taken out when applied to a base
        _problem(doc, problems, ("remove",), t("validate.remove_needs_extends"))
    broken: set[str] = set()
    nodes, links, gateways = _expand(doc, spec, problems, broken)
    city = _assemble(doc, spec, nodes, links, gateways, problems, broken)
    return (city if not problems else None), _sorted(doc, problems)


def _sorted(doc: Document, problems: list[Diagnostic]) -> list[Diagnostic]:
    if doc.layered is not None:  # key paths as the trainer wrote them
        problems = [replace(d, path=doc.layered.trainer_path(d.path)) for d in problems]
    return sorted(problems, key=lambda d: (d.line, d.col, d.path))


def _expand(
    doc: Document, spec: TopologySpec, problems: list[Diagnostic], broken: set[str]
) -> tuple[list[tuple[NodeSpec, tuple[Any, ...]]], list[tuple[LinkSpec, tuple[Any, ...]]], dict[str, str]]:
    """Written nodes and links, plus those built from templates, each with where it came from;
    ``broken`` gets the ids of template nodes that could not be built (their problem is reported)."""
    nodes = [(node, ("nodes", i)) for i, node in enumerate(spec.nodes)]
    links = [(link, ("links", i)) for i, link in enumerate(spec.links)]
    gateways: dict[str, str] = {s.id: s.gateway for s in spec.sites if s.gateway}
    layered = doc.layered
    entries: dict[str, dict[str, list[_Entry]]] = {}
    shared: dict[str, dict[tuple[Any, ...], Any]] = {}
    for si, site in enumerate(spec.sites):
        if site.template is None:
            continue
        where = ("sites", si, "template")
        template = spec.templates.get(site.template)
        if template is None:
            _problem(
                doc,
                problems,
                where,
                t("validate.unknown_ref", what=t("validate.what_template"), name=site.template)
                + _near(site.template, spec.templates),
            )
            continue
        values: dict[str, Any] = {**template.params, **site.params}
        unknown = sorted(set(site.params) - set(template.params))
        for name in unknown:
            _problem(
                doc,
                problems,
                ("sites", si, "params", name),
                t("validate.unknown_param", name=name, template=site.template) + _near(name, template.params),
            )
        values.update(site=site.id, name_en=site.name.en, name_vi=site.name.vi)
        if site.template not in entries:
            entries[site.template] = {
                "nodes": [_Entry(raw, "nodes", shared) for raw in template.nodes],
                "links": [_Entry(raw, "links", shared) for raw in template.links],
            }
        for kind, model, out in (("nodes", NodeSpec, nodes), ("links", LinkSpec, links)):
            for ti, entry in enumerate(entries[site.template][kind]):
                if layered and _layer_drops(layered, kind, entry.raw, values):
                    continue
                change = _layer_change(layered, kind, entry.raw, values) if layered else None
                if change is not None:
                    _changed_node(doc, entry.raw, values, site.id, change, nodes, problems, broken)
                    continue
                key = entry.key(values)
                item = entry.copy_for(key, values, site.id) if key is not None else None
                if item is not None:
                    out.append((item, ("templates", site.template, kind, ti)))  # type: ignore[arg-type]
                    continue
                filled = _fill(entry.raw, values)
                if kind == "nodes" and isinstance(filled, dict):
                    filled.setdefault("site", site.id)
                try:
                    item = model.model_validate(filled)
                except Exception as exc:  # pydantic's ValidationError, located at the template entry
                    errors = getattr(exc, "errors", lambda **_: [])(include_url=False)
                    for d in diagnostics_for(doc, model, errors, ("templates", site.template, kind, ti)):
                        problems.append(
                            Diagnostic(
                                d.file,
                                d.line,
                                d.col,
                                d.path,
                                t("validate.in_template", site=site.id) + d.message,
                                d.code,
                            )
                        )
                    if kind == "nodes" and isinstance(filled, dict) and isinstance(filled.get("id"), str):
                        broken.add(filled["id"])
                    continue
                if key is not None:
                    entry.done.setdefault(key, item)
                out.append((item, ("templates", site.template, kind, ti)))  # type: ignore[arg-type]
        if template.gateway and site.id not in gateways:
            gateways[site.id] = str(_fill(template.gateway, values))
    return nodes, links, gateways


def _layer_drops(layered: Any, kind: str, raw: Any, values: dict[str, Any]) -> bool:
    """A template's node or link that the topology extending this one takes out."""
    if not isinstance(raw, dict):
        return False
    if kind == "nodes":
        return _fill(raw.get("id"), values) in layered.drop_nodes
    ends = (_fill(raw.get("from"), values), _fill(raw.get("to"), values))
    key = _fill(raw["id"], values) if "id" in raw else f"{ends[0]}--{ends[1]}"
    return key in layered.drop_links or any(end in layered.drop_nodes for end in ends)


def _layer_change(layered: Any, kind: str, raw: Any, values: dict[str, Any]) -> Any:
    if kind != "nodes" or not layered.node_changes or not isinstance(raw, dict):
        return None
    return layered.node_changes.get(_fill(raw.get("id"), values))


def _changed_node(
    doc: Document,
    raw: dict[str, Any],
    values: dict[str, Any],
    site: str,
    change: tuple[dict[str, Any], tuple[Any, ...]],
    nodes: list[tuple[NodeSpec, tuple[Any, ...]]],
    problems: list[Diagnostic],
    broken: set[str],
) -> None:
    """A template's node with the changes a topology extending this one makes to it, checked in
    full and placed at the change."""
    keys, where = change
    filled = {**_fill(raw, values), **keys}
    filled.setdefault("site", site)
    try:
        nodes.append((NodeSpec.model_validate(filled), where))
    except ValidationError as exc:
        # located through the merged document's positions, over the node as built and changed
        data: dict[Any, Any] = {}
        cursor = data
        for part in where[:-1]:
            cursor = cursor.setdefault(part, {})
        cursor[where[-1]] = filled
        here = Document(data, doc.file, doc.positions, [], doc.split_keys, layered=doc.layered)
        problems.extend(diagnostics_for(here, NodeSpec, exc.errors(include_url=False), where))
        broken.add(str(filled.get("id")))


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]  # keeps numbers as numbers
        try:
            return value.format_map(values)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            return value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


# A template entry is validated once per distinct set of the parameter values its body uses; every
# site then gets a copy with its own id, name and site, checked by the same validators. Without this,
# 100,000 templated nodes cost seconds of filling and validation. It relies on NodeSpec and LinkSpec
# having no check that ties the naming fields to the others: a model with any validator of its own
# is validated in full every time.
_MISSING = object()
_NAMING = {
    "nodes": {"id": "id", "name": "name", "site": "site"},
    "links": {"from": "source", "to": "target", "id": "id"},
}
_REQUIRED = {"nodes": ("id",), "links": ("source", "target")}
_PLAIN = {
    kind: not any((d.model_validators, d.field_validators, d.validators, d.root_validators))
    for kind, d in (("nodes", NodeSpec.__pydantic_decorators__), ("links", LinkSpec.__pydantic_decorators__))
}
_ID = TypeAdapter(Id)
_NAME = TypeAdapter(Text | None)


class _Entry:
    __slots__ = ("raw", "kind", "refs", "done", "naming", "defaults", "given")

    def __init__(self, raw: Any, kind: str, shared: dict[str, dict[tuple[Any, ...], Any]]) -> None:
        self.raw = raw
        self.kind = kind
        self.done: dict[tuple[Any, ...], Any] = {}
        self.refs: tuple[str, ...] | None = None
        naming = _NAMING[kind]
        if not _PLAIN[kind] or not isinstance(raw, dict):
            return
        if any(k in raw for k in naming.values() if k not in naming):
            return  # written with a field name instead of its alias: validate it every time
        if any(name in _REQUIRED[kind] and written not in raw for written, name in naming.items()):
            return
        self.naming = [(w, n, _NAME if n == "name" else _ID) for w, n in naming.items() if w in raw]
        self.defaults = {n: None for w, n in naming.items() if w not in raw}
        self.given = {n for w, n in naming.items() if w in raw}
        if kind == "nodes":
            self.given.add("site")
        body = {k: v for k, v in raw.items() if k not in naming}
        refs: set[str] = set()
        if not _refs(body, refs):
            return
        self.refs = tuple(sorted(refs))
        with contextlib.suppress(TypeError, ValueError):  # entries with the same body (a LAN's PCs)
            self.done = shared.setdefault(f"{kind}:{json.dumps(body, sort_keys=True)}", {})

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """The parameter values (and their types: 1 and 1.0 format differently) the body uses."""
        if self.refs is None:
            return None
        key = tuple((type(v), v) for v in (values.get(name, _MISSING) for name in self.refs))
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def copy_for(self, key: tuple[Any, ...], values: dict[str, Any], site: str) -> Any:
        """The entry for one site from one already validated, or None to validate it in full."""
        base = self.done.get(key)
        if base is None:
            return None
        raw = self.raw
        update = dict(self.defaults)
        try:
            for written, name, adapter in self.naming:
                update[name] = adapter.validate_python(_fill(raw[written], values))
        except ValidationError:
            return None
        if "site" in update and update["site"] is None:
            update["site"] = site
        item = base.model_copy(update=update)
        fields_set = (base.model_fields_set - set(update)) | self.given
        object.__setattr__(item, "__pydantic_fields_set__", fields_set)
        return item


def _refs(value: Any, out: set[str]) -> bool:
    """Collect the parameter names ``value`` uses; False when they cannot be told for sure."""
    if isinstance(value, str):
        if "{" not in value and "}" not in value:
            return True
        if value.startswith("{") and value.endswith("}"):
            out.add(value[1:-1])
        try:
            for _text, name, spec, _conversion in string.Formatter().parse(value):
                if name is None:
                    continue
                if spec and ("{" in spec or "}" in spec):
                    return False
                out.add(name)
                out.add(re.split(r"[.\[]", name, maxsplit=1)[0])
        except ValueError:
            return False
        return True
    if isinstance(value, dict):
        return all(_refs(v, out) for v in value.values())
    if isinstance(value, list):
        return all(_refs(v, out) for v in value)
    return True


def _near(name: str, pool: Iterable[str]) -> str:
    close = nearest(name, pool)
    return t("validate.did_you_mean", names=", ".join(close)) if close else ""


def _problem(
    doc: Document, problems: list[Diagnostic], path: Sequence[Any], message: str, code: str = "reference"
) -> None:
    line, col = doc.where(tuple(path))
    problems.append(Diagnostic(doc.file, line, col, path_text(path), message, code))


def _assemble(
    doc: Document,
    spec: TopologySpec,
    nodes: list[tuple[NodeSpec, tuple[Any, ...]]],
    links: list[tuple[LinkSpec, tuple[Any, ...]]],
    gateways: dict[str, str],
    problems: list[Diagnostic],
    broken: set[str],
) -> City:
    sites: dict[str, SiteSpec] = {}
    for i, site in enumerate(spec.sites):
        if site.id in sites:
            _problem(
                doc,
                problems,
                ("sites", i, "id"),
                t("validate.duplicate_id", what=t("validate.what_site"), name=site.id),
            )
        sites[site.id] = site
    for i, site in enumerate(spec.sites):
        if site.parent is not None and (site.parent not in sites or site.parent == site.id):
            _problem(
                doc,
                problems,
                ("sites", i, "parent"),
                t("validate.unknown_ref", what=t("validate.what_site"), name=site.parent)
                + _near(site.parent, [s for s in sites if s != site.id]),
            )
    zones = {z.id for z in spec.zones}
    service_ids = [s.id for s in spec.services]
    by_id: dict[str, NodeSpec] = {}
    graph = nx.Graph(name=spec.topology)
    nodes_by_site: dict[str, list[str]] = {s: [] for s in sites}
    for node, where in nodes:
        if node.id in by_id:
            _problem(
                doc,
                problems,
                (*where, "id"),
                t("validate.duplicate_id", what=t("validate.what_node"), name=node.id),
            )
            continue
        by_id[node.id] = node
        if node.site not in sites:
            _problem(
                doc,
                problems,
                (*where, "site"),
                t("validate.unknown_ref", what=t("validate.what_site"), name=node.site)
                + _near(node.site, sites),
            )
        else:
            nodes_by_site[node.site].append(node.id)
        if zones and node.zone not in zones:
            _problem(
                doc,
                problems,
                (*where, "zone"),
                t("validate.unknown_ref", what=t("validate.what_zone"), name=node.zone)
                + _near(node.zone, zones),
            )
        for k, svc in enumerate(node.services):
            if svc not in service_ids:
                _problem(
                    doc,
                    problems,
                    (*where, "services", k),
                    t("validate.unknown_ref", what=t("validate.what_service"), name=svc)
                    + _near(svc, service_ids),
                )
        graph.add_node(node.id, **_attrs(node))
    seen_links: set[tuple[str, str]] = set()
    for link, where in links:
        ok = True
        for end, key in ((link.source, "from"), (link.target, "to")):
            if end not in by_id and end in broken:
                ok = False  # the node's own problem is reported already
            elif end not in by_id:
                _problem(
                    doc,
                    problems,
                    (*where, key),
                    t("validate.unknown_ref", what=t("validate.what_node"), name=end) + _near(end, by_id),
                )
                ok = False
        pair = (min(link.source, link.target), max(link.source, link.target))
        if ok and link.source == link.target:
            _problem(doc, problems, where, t("validate.self_link", name=link.source))
            ok = False
        if ok and pair in seen_links:
            _problem(doc, problems, where, t("validate.duplicate_link", a=link.source, b=link.target))
            ok = False
        if ok:
            seen_links.add(pair)
            graph.add_edge(link.source, link.target, kind=link.kind, allows=tuple(link.allows), id=link.key)
    for site_id, gw in gateways.items():
        if gw not in by_id and gw not in broken:
            i = next(i for i, s in enumerate(spec.sites) if s.id == site_id)
            _problem(
                doc,
                problems,
                ("sites", i, "gateway"),
                t("validate.unknown_ref", what=t("validate.what_node"), name=gw) + _near(gw, by_id),
            )
    services = {s.id: s for s in spec.services}
    service_nodes: dict[str, list[str]] = {s: [] for s in services}
    for node in by_id.values():
        for svc in node.services:
            if svc in service_nodes:
                service_nodes[svc].append(node.id)
    for i, svc in enumerate(spec.services):
        for k, name in enumerate(svc.requires.nodes):
            if name not in by_id:
                _problem(
                    doc,
                    problems,
                    ("services", i, "requires", "nodes", k),
                    t("validate.unknown_ref", what=t("validate.what_node"), name=name) + _near(name, by_id),
                )
            elif name not in service_nodes[svc.id]:
                service_nodes[svc.id].append(name)
        for k, name in enumerate(svc.requires.services):
            if name not in services:
                _problem(
                    doc,
                    problems,
                    ("services", i, "requires", "services", k),
                    t("validate.unknown_ref", what=t("validate.what_service"), name=name)
                    + _near(name, services),
                )
        for k, name in enumerate(svc.users):
            if name != "all" and name not in sites:
                _problem(
                    doc,
                    problems,
                    ("services", i, "users", k),
                    t("validate.unknown_ref", what=t("validate.what_site"), name=name) + _near(name, sites),
                )
        if not service_nodes[svc.id] and not svc.requires.services:
            _problem(doc, problems, ("services", i), t("validate.service_unhosted", name=svc.id))
    # a node that could not be built may be the Internet: its own problem is reported already
    if not broken and not any(node.kind == "internet" for node in by_id.values()):
        for i, svc in enumerate(spec.services):
            if svc.from_internet:
                _problem(
                    doc,
                    problems,
                    ("services", i, "from_internet"),
                    t("validate.from_internet_no_internet", name=svc.id),
                )
    order = _service_order(doc, spec, problems)
    city = City(
        spec=spec,
        file=doc.file,
        sites=sites,
        nodes=by_id,
        links=[link for link, _ in links],
        services=services,
        graph=graph,
        nodes_by_site=nodes_by_site,
        service_nodes={k: tuple(v) for k, v in service_nodes.items()},
        service_order=order,
        gateways={site: gw for site, gw in gateways.items() if gw in by_id},
    )
    if not broken and not problems:
        _check_internet_paths(doc, city, problems)
    return city


def _check_internet_paths(doc: Document, city: City, problems: list[Diagnostic]) -> None:
    """A service used from the Internet that no way in reaches at the start would be down all drill
    long: a topology mistake (a missing link, a link of the wrong kind)."""
    flagged = [(i, s) for i, s in enumerate(city.spec.services) if s.from_internet]
    entrances = [nid for nid, node in city.nodes.items() if node.kind == "internet"]
    if not flagged or not entrances:
        return
    # traffic passes through network gear, not through hosts
    reached, stack = set(entrances), list(entrances)
    while stack:
        here = stack.pop()
        for other, data in city.graph[here].items():
            if other not in reached and data["kind"] in TRAFFIC_LINKS:
                reached.add(other)
                if city.is_transit(other):
                    stack.append(other)
    through = city.reached_through()
    for i, svc in flagged:
        nodes = through.get(svc.id, [])
        if nodes and not any(n in reached for n in nodes):
            _problem(
                doc,
                problems,
                ("services", i, "from_internet"),
                t("validate.from_internet_no_path", name=svc.id, nodes=", ".join(nodes[:3])),
            )


def _attrs(node: NodeSpec) -> dict[str, Any]:
    return {
        "kind": node.kind,
        "site": node.site,
        "zone": node.zone,
        "criticality": node.criticality,
        "hosts": node.hosts,
        "services": tuple(node.services),
        "tags": tuple(node.tags),
        "coverage": node.sensors.coverage,
        "backup_restore": node.backup.restore if node.backup else None,
        "exposed": node.exposed,
        "data_gb": node.data_gb,
        "name_en": node.name.en if node.name else node.id,
        "name_vi": node.name.vi if node.name else node.id,
    }


def _service_order(doc: Document, spec: TopologySpec, problems: list[Diagnostic]) -> list[str]:
    """Services with each after the ones it needs; a dependency cycle is an error."""
    deps = {s.id: [d for d in s.requires.services if d != s.id] for s in spec.services}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(sid: str, trail: list[str]) -> None:
        if state.get(sid) == 2 or sid not in deps:
            return
        if state.get(sid) == 1:
            i = next(i for i, s in enumerate(spec.services) if s.id == sid)
            cycle = " → ".join([*trail[trail.index(sid) :], sid])
            _problem(doc, problems, ("services", i, "requires"), t("validate.service_cycle", cycle=cycle))
            return
        state[sid] = 1
        for dep in deps[sid]:
            visit(dep, [*trail, sid])
        state[sid] = 2
        order.append(sid)

    for s in spec.services:
        visit(s.id, [])
    return order
