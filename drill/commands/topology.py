"""``drill topology show|export``: read the city model, or hand it to Gephi, yEd, igraph or networkx."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from ..data import DEFAULT_TOPOLOGY, bundled_topologies
from ..diagnostics import DrillError, nearest
from ..generate import add_parser as add_generate
from ..i18n import pick, t
from ..model.city import City, load_city
from ..outputs import add_force, atomic_writer, check_output
from ..topology_export import EXPORTERS

GROUP_ORDER = ("core", "datacentre", "portal", "departments", "districts", "communes", "external")


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("topology", help=t("topology.help"), description=t("topology.help"))
    tsub = p.add_subparsers(dest="topology_command", metavar=t("cli.command_metavar"), required=True)
    show = tsub.add_parser("show", help=t("topology.show_help"), description=t("topology.show_help"))
    show.add_argument(
        "name", nargs="?", default=DEFAULT_TOPOLOGY, metavar="NAME|FILE", help=t("topology.name_arg")
    )
    show.add_argument("--nodes", action="store_true", help=t("topology.nodes_help"))
    show.set_defaults(handler=run_show)
    export = tsub.add_parser("export", help=t("topology.export_help"), description=t("topology.export_help"))
    export.add_argument("name", metavar="NAME|FILE", help=t("topology.name_arg"))
    export.add_argument(
        "--format", choices=tuple(EXPORTERS), default="graphml", help=t("topology.format_help")
    )
    export.add_argument("-o", "--output", metavar="FILE", help=t("topology.output_help"))
    add_force(export)
    export.set_defaults(handler=run_export)
    add_generate(tsub)


def topology_file(name: str) -> Path | None:
    """The file a topology name stands for (a bundled one's too), if it is one."""
    bundled = bundled_topologies()
    if name in bundled:
        return Path(bundled[name])
    return Path(name) if Path(name).is_file() else None


def resolve_topology(name: str) -> City:
    """A bundled topology by name, or a topology file."""
    bundled = bundled_topologies()
    if name in bundled:
        return load_city(bundled[name])
    path = Path(name)
    if path.is_file():
        return load_city(path)
    msg = t("topology.not_found", name=name)
    close = nearest(name, bundled)
    if close:
        msg += t("validate.did_you_mean", names=", ".join(close))
    raise DrillError(msg)


def show_lines(city: City, with_nodes: bool = False) -> list[str]:
    spec = city.spec
    hosts = sum(n.hosts for n in city.nodes.values())
    lines = [
        f"{pick(spec.name.model_dump())} ({city.id})",
        t(
            "topology.counts",
            nodes=len(city.nodes),
            hosts=hosts,
            links=city.graph.number_of_edges(),
            sites=len(city.sites),
            services=len(city.services),
        ),
        "",
        t("topology.by_kind"),
    ]
    nodes_word, hosts_word = t("topology.nodes_word"), t("topology.hosts_word")
    kinds = Counter(n.kind for n in city.nodes.values())
    kind_hosts = Counter()
    for n in city.nodes.values():
        kind_hosts[n.kind] += n.hosts
    for kind, count in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {kind:<20} {count:>6} {nodes_word}  {kind_hosts[kind]:>8} {hosts_word}")
    lines += ["", t("topology.by_zone")]
    zone_names = {z.id: pick(z.name.model_dump()) for z in spec.zones}
    zones = Counter(n.zone for n in city.nodes.values())
    for zone, count in sorted(zones.items()):
        lines.append(f"  {zone:<20} {count:>6}  {zone_names.get(zone, '')}")
    lines += ["", t("topology.by_link")]
    links = Counter(d["kind"] for _a, _b, d in city.graph.edges(data=True))
    for kind, count in sorted(links.items()):
        lines.append(f"  {kind:<20} {count:>6}")
    groups: dict[str, list[str]] = {}
    for site in city.sites.values():
        groups.setdefault(site.group, []).append(site.id)
    for group in [g for g in GROUP_ORDER if g in groups] + sorted(set(groups) - set(GROUP_ORDER)):
        members = groups[group]
        lines += ["", t(f"topology.group_{group}", count=len(members))]
        parent = None
        for sid in _by_parent(city, members):
            site = city.sites[sid]
            if site.parent != parent and site.parent in city.sites:  # the wards under their district
                parent = site.parent
                under = sum(1 for m in members if city.sites[m].parent == parent)
                lines.append(f"  {pick(city.sites[parent].name.model_dump())} ({under})")
            nodes = city.nodes_by_site.get(sid, [])
            site_hosts = sum(city.nodes[n].hosts for n in nodes)
            name = pick(site.name.model_dump())
            lead = "    " if site.parent in city.sites else "  "
            width = 30 - len(lead)
            lines.append(
                f"{lead}{sid:<{width}} {len(nodes):>4} {nodes_word} {site_hosts:>6} {hosts_word}  {name}"
            )
            if with_nodes:
                for nid in nodes:
                    node = city.nodes[nid]
                    lines.append(f"      {nid:<36} {node.kind:<18} {node.zone:<16} x{node.hosts}")
    by_kind: dict[str, list[str]] = {}
    for svc in city.services.values():
        by_kind.setdefault(svc.kind, []).append(svc.id)
    for kind in ("infrastructure", "shared-app", "system", "public-service"):
        members = by_kind.get(kind, [])
        if not members:
            continue
        lines += ["", t(f"topology.services_{kind.replace('-', '_')}", count=len(members))]
        for sid in members:
            svc = city.services[sid]
            level = f" [{t('topology.level', level=svc.level)}]" if svc.level else ""
            lines.append(f"  {sid:<28} {pick(svc.name.model_dump())}{level}")
            runs = ", ".join(city.service_nodes.get(sid, ())) or "—"
            needs = ", ".join(svc.requires.services) or "—"
            lines.append(f"      {t('topology.runs_on')}: {runs}")
            lines.append(f"      {t('topology.requires')}: {needs}")
            if svc.serves.citizens or svc.serves.officials:
                lines.append(
                    "      "
                    + t(
                        "topology.serves",
                        citizens=f"{svc.serves.citizens:,}",
                        officials=f"{svc.serves.officials:,}",
                    )
                )
    return lines


def _by_parent(city: City, members: list[str]) -> list[str]:
    """Bodies with a parent together under it, in the order the parents come; the others first."""
    order = {sid: i for i, sid in enumerate(city.sites)}
    return sorted(members, key=lambda s: (order.get(city.sites[s].parent or "", -1), order[s]))


def run_show(args: argparse.Namespace) -> int:
    city = resolve_topology(args.name)
    print("\n".join(show_lines(city, args.nodes)))
    return 0


def run_export(args: argparse.Namespace) -> int:
    city = resolve_topology(args.name)
    suffix = {"topology-json": "topology.json"}.get(args.format, args.format)
    out = Path(args.output or f"{city.id}.{suffix}")
    what = "topology.cannot_write"
    check_output(out, inputs=[topology_file(args.name)], force=args.force, what=what)
    with atomic_writer(out, binary=True, what=what) as stream:
        stream.write(EXPORTERS[args.format](city))
    print(t("topology.exported", file=str(out), nodes=len(city.nodes), links=city.graph.number_of_edges()))
    return 0
