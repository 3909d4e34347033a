"""Topologies that build on each other: ``extends: hanoi`` (a bundled name, or a file in the same
folder) takes that topology and applies the trainer's file to it.

- ``zones``, ``sites``, ``nodes``, ``links`` and ``services``: an entry whose id is already in the
  base changes it (the keys given replace the base's, the others are kept); a new id adds it.
  A link's id is its ``id``, or ``from--to``.
- ``templates``: a template of the same name replaces the base's.
- ``remove``: ids of ``sites``, ``nodes``, ``links`` and ``services`` to take out. A site taken out
  takes its nodes with it, a node its links, and either leaves the ``users`` and ``requires`` lists
  that named it.
- ``topology``, ``name``, ``description``: the trainer's own; ``version`` as the base's.

Problems are told at the trainer's file and line: an entry the trainer wrote at its place there,
anything of the base that the trainer's changes broke at the ``extends:`` line. A base may extend
another, within its own folder; a loop is an error.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data import bundled_topologies
from ..diagnostics import Diagnostic, DrillError, nearest, path_text
from ..i18n import t
from ..yamlio import MAX_JSON_BYTES, MAX_YAML_BYTES, Document, load_json, load_yaml, read_text

LISTS = ("zones", "sites", "nodes", "links", "services")
REMOVABLE = ("sites", "nodes", "links", "services")
MAX_DEPTH = 8


def read_document(path: Path, too_large: str = "io.too_large") -> tuple[Document, str]:
    """A topology file parsed, and its text."""
    is_json = path.suffix.lower() == ".json"
    text = read_text(path, MAX_JSON_BYTES if is_json else MAX_YAML_BYTES, too_large)
    return (load_json(text, str(path)) if is_json else load_yaml(text, str(path))), text


def base_path(name: Any, folder: Path) -> Path | None:
    """The file ``extends`` names: a file inside ``folder`` (never outside it), else a bundled
    topology; None when there is none. Raises ValueError for a path that leaves the folder."""
    if not isinstance(name, str) or not name or "\0" in name:
        return None
    root = folder.resolve()
    try:
        candidate = (folder / name).resolve()
        is_file = candidate.is_file()
    except (OSError, RuntimeError):
        candidate, is_file = None, False  # type: ignore[assignment]
    if candidate is not None and not candidate.is_relative_to(root):
        raise ValueError("outside")
    if is_file:
        return candidate
    for suffix in (".yaml", ".yml", ".json"):
        try:
            beside = (folder / f"{name}{suffix}").resolve()
            if beside.is_relative_to(root) and beside.is_file() and "/" not in name:
                return beside
        except (OSError, RuntimeError):
            pass
    return bundled_topologies().get(name)


def topology_files(path: Path) -> list[Path]:
    """The file and the files of its own folder it extends (not the bundled ones), first to last."""
    out = [path]
    try:
        for _ in range(MAX_DEPTH):
            doc, _text = read_document(out[-1])
            name = doc.data.get("extends") if isinstance(doc.data, dict) else None
            base = base_path(name, out[-1].parent) if name else None
            if base is None or base in bundled_topologies().values() or base in out:
                break
            out.append(base)
    except (DrillError, ValueError):
        pass
    return out


def load_topology(path: Path | str, too_large: str = "io.too_large") -> tuple[Document, str]:
    """A topology file as one document, its bases applied, and the text that identifies it (its
    own, then its bases'). Raises DrillError for a file that cannot be read or parsed."""
    path = Path(path)
    doc, text = read_document(path, too_large)
    return resolve(doc, text, path.parent, [path.resolve()])


def resolve(doc: Document, text: str, folder: Path, chain: list[Path]) -> tuple[Document, str]:
    """``doc`` with its base applied when it says ``extends``; else ``doc`` itself."""
    data = doc.data
    if not isinstance(data, dict) or "extends" not in data:
        return doc, text
    name = data["extends"]

    def stop(message: str) -> tuple[Document, str]:
        line, col = doc.where(("extends",))
        problem = Diagnostic(doc.file, line, col, "extends", message, "reference")
        return Document(data, doc.file, doc.positions, [*doc.problems, problem], doc.split_keys), text

    try:
        path = base_path(name, folder)
    except ValueError:
        return stop(t("validate.extends_outside", name=name))
    if path is None:
        close = nearest(str(name), bundled_topologies())
        msg = t("validate.extends_missing", name=name)
        return stop(msg + (t("validate.did_you_mean", names=", ".join(close)) if close else ""))
    if path.resolve() in chain or len(chain) > MAX_DEPTH:
        return stop(t("validate.extends_loop", name=name))
    try:
        base_doc, base_text = read_document(path)
        base_doc, base_text = resolve(base_doc, base_text, path.parent, [*chain, path.resolve()])
    except DrillError as exc:
        return stop(t("validate.extends_broken", name=name) + " " + exc.message)
    if base_doc.problems or not isinstance(base_doc.data, dict):
        details = "; ".join(d.format() for d in base_doc.problems[:3])
        return stop(t("validate.extends_broken", name=name) + (" " + details if details else ""))
    merged, origin, problems, built = apply(base_doc.data, data, doc)
    built.origin = origin
    problems = [*doc.problems, *problems]
    split = _split_keys(doc, origin)
    layered = Document(merged, doc.file, _Positions(doc, origin), problems, split, layered=built)
    return layered, text + "\n" + base_text


@dataclass
class Layered:
    """What a layer does to the nodes and links its base builds from templates: changes by node id
    (the keys given, and where in the merged document they were written), and ids taken out."""

    node_changes: dict[str, tuple[dict[str, Any], tuple[Any, ...]]] = field(default_factory=dict)
    drop_nodes: set[str] = field(default_factory=set)
    drop_links: set[str] = field(default_factory=set)
    origin: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.node_changes or self.drop_nodes or self.drop_links)

    def trainer_path(self, text: str) -> str:
        """A problem's key path in the merged topology as the trainer wrote it: ``sites[38].staff``
        → ``sites[0].staff`` for the trainer's first site (the base's own entries keep theirs)."""
        m = _HEAD.match(text)
        if not m:
            return text
        head = (m.group(1), int(m.group(2)))
        written = self.origin.get(head)
        if written is None:
            return text
        return path_text(written) + text[m.end() :]


_HEAD = re.compile(r"^([a-z-]+)\[(\d+)\]")


def built_from_templates(data: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    """The ids of the nodes (with their site) and links the sites' templates build."""
    templates = data.get("templates") if isinstance(data.get("templates"), dict) else {}
    nodes: dict[str, str] = {}
    links: set[str] = set()
    for site in data.get("sites") or []:
        if not isinstance(site, dict) or not isinstance(templates.get(site.get("template")), dict):
            continue
        template = templates[site["template"]]
        name = site.get("name") if isinstance(site.get("name"), dict) else {}
        values = {
            **(template.get("params") or {}),
            **(site.get("params") or {}),
            "site": site.get("id"),
            "name_en": name.get("en", ""),
            "name_vi": name.get("vi", ""),
        }
        for raw in template.get("nodes") or []:
            nid = _format(raw.get("id") if isinstance(raw, dict) else None, values)
            if nid:
                nodes[nid] = str(site.get("id"))
        for raw in template.get("links") or []:
            if not isinstance(raw, dict):
                continue
            lid = _format(raw.get("id"), values)
            a, b = _format(raw.get("from"), values), _format(raw.get("to"), values)
            if lid or (a and b):
                links.add(lid or f"{a}--{b}")
    return nodes, links


def _format(value: Any, values: dict[str, Any]) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return value.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return None


def apply(
    base: dict[str, Any], layer: dict[str, Any], doc: Document
) -> tuple[dict[str, Any], dict[tuple[Any, ...], tuple[Any, ...]], list[Diagnostic], Layered]:
    """The base with the layer applied; where each merged list item was written in the layer
    (list, index) → path in the layer; problems with the layer's ``remove``; what it does to
    the nodes and links built from templates."""
    out: dict[str, Any] = {k: v for k, v in base.items() if k not in ("extends", "$schema")}
    for key in ("topology", "name", "description", "extends"):
        if key in layer:
            out[key] = layer[key]  # extends stays: the city says it was built on another
    origin: dict[tuple[str, int], tuple[Any, ...]] = {}
    problems: list[Diagnostic] = []

    def problem(path: tuple[Any, ...], message: str) -> None:
        line, col = doc.where(path)
        problems.append(Diagnostic(doc.file, line, col, path_text(path), message, "reference"))

    lists = {key: [copy.copy(item) for item in base.get(key, []) or []] for key in LISTS}
    built = Layered()
    template_nodes, template_links = built_from_templates(base)
    remove = layer.get("remove") or {}
    if not isinstance(remove, dict):
        problem(("remove",), t("validate.remove_shape", keys=", ".join(REMOVABLE)))
        remove = {}
    gone: dict[str, set[str]] = {}
    for key, names in remove.items():
        if key not in REMOVABLE:
            close = nearest(str(key), REMOVABLE)
            problem(
                ("remove", key),
                t("validate.not_one_of", value=key, choices=", ".join(REMOVABLE))
                + (t("validate.did_you_mean", names=", ".join(close)) if close else ""),
            )
            continue
        if not isinstance(names, list):
            problem(("remove", key), t("validate.remove_shape", keys=", ".join(REMOVABLE)))
            continue
        known = [_key(key, item) for item in lists[key]]
        for i, name in enumerate(names):
            if key == "nodes" and name not in known and name in template_nodes:
                built.drop_nodes.add(name)
                continue
            if key == "links" and name not in known and name in template_links:
                built.drop_links.add(name)
                continue
            if name not in known:
                pool = [k for k in known if k]
                if key in ("nodes", "links"):
                    pool += list(template_nodes if key == "nodes" else template_links)
                close = nearest(str(name), pool)
                problem(
                    ("remove", key, i),
                    t("validate.remove_unknown", what=t(f"validate.what_{key[:-1]}"), name=name)
                    + (t("validate.did_you_mean", names=", ".join(close)) if close else ""),
                )
            else:
                gone.setdefault(key, set()).add(str(name))
    for site in gone.get("sites", set()):  # its template's nodes go with it, and links to them
        built.drop_nodes.update(n for n, s in template_nodes.items() if s == site)
    gone.setdefault("nodes", set()).update(built.drop_nodes)
    _remove(lists, gone)
    for key in LISTS:
        items = layer.get(key)
        if not isinstance(items, list):
            if key in layer:
                out[key] = items  # the wrong shape: the model says so, at the trainer's line
                origin[(key, -1)] = (key,)
            continue
        index = {_key(key, item): i for i, item in enumerate(lists[key]) if _key(key, item)}
        for j, item in enumerate(items):
            k = _key(key, item)
            if key == "nodes" and k in template_nodes and k not in index and isinstance(item, dict):
                # a change to a node its base builds from a template: made as it is built
                built.node_changes[k] = ({x: v for x, v in item.items() if x != "id"}, ("node-changes", j))
                origin[("node-changes", j)] = (key, j)
                continue
            if k is not None and k in index and isinstance(item, dict):
                i = index[k]
                lists[key][i] = {**lists[key][i], **item}
            else:
                i = len(lists[key])
                lists[key].append(item)
                if k is not None:
                    index[k] = i
            origin[(key, i)] = (key, j)
    for key in LISTS:
        if out.get(key) is not None and (key, -1) in origin:
            continue
        out[key] = lists[key]
    templates = dict(base.get("templates") or {})
    if isinstance(layer.get("templates"), dict):
        templates.update(layer["templates"])
        for name in layer["templates"]:
            origin[("templates", name)] = ("templates", name)  # type: ignore[index]
    elif "templates" in layer:
        templates = layer["templates"]
        origin[("templates", -1)] = ("templates",)
    out["templates"] = templates
    handled = {"extends", "remove", "templates", "topology", "name", "description", *LISTS}
    for key, value in layer.items():
        if key not in handled:
            out[key] = value  # the model judges it (an unknown key, a version), at its own line
    return out, origin, problems, built


def _key(kind: str, item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if kind == "links":
        if isinstance(item.get("id"), str):
            return item["id"]
        a, b = item.get("from"), item.get("to")
        return f"{a}--{b}" if isinstance(a, str) and isinstance(b, str) else None
    value = item.get("id")
    return value if isinstance(value, str) else None


def _remove(lists: dict[str, list[Any]], gone: dict[str, set[str]]) -> None:
    """Take out what ``remove`` names, and what hangs on it."""
    sites = gone.get("sites", set())
    nodes = set(gone.get("nodes", set()))
    services = gone.get("services", set())
    if sites:
        lists["sites"] = [s for s in lists["sites"] if _key("sites", s) not in sites]
        for node in lists["nodes"]:
            if isinstance(node, dict) and node.get("site") in sites:
                nodes.add(str(node.get("id")))
    if nodes:
        lists["nodes"] = [n for n in lists["nodes"] if _key("nodes", n) not in nodes]
    links = gone.get("links", set())
    lists["links"] = [
        link
        for link in lists["links"]
        if _key("links", link) not in links
        and not (isinstance(link, dict) and (link.get("from") in nodes or link.get("to") in nodes))
    ]
    kept = []
    for svc in lists["services"]:
        if _key("services", svc) in services:
            continue
        if isinstance(svc, dict) and (sites or nodes or services):
            svc = dict(svc)
            if isinstance(svc.get("users"), list):
                svc["users"] = [u for u in svc["users"] if u not in sites]
            needs = svc.get("requires")
            if isinstance(needs, dict):
                needs = dict(needs)
                if isinstance(needs.get("nodes"), list):
                    needs["nodes"] = [n for n in needs["nodes"] if n not in nodes]
                if isinstance(needs.get("services"), list):
                    needs["services"] = [s for s in needs["services"] if s not in services]
                svc["requires"] = needs
        kept.append(svc)
    lists["services"] = kept
    for node in lists["nodes"]:
        if isinstance(node, dict) and isinstance(node.get("services"), list) and services:
            node["services"] = [s for s in node["services"] if s not in services]


class _Positions:
    """Positions in a merged topology: an item the trainer wrote at its place in the trainer's file;
    anything else (the base's) at the ``extends:`` line."""

    def __init__(self, doc: Document, origin: dict[tuple[Any, ...], tuple[Any, ...]]) -> None:
        self.doc = doc
        self.origin = origin
        self.fallback = doc.where(("extends",))

    def _map(self, path: tuple[Any, ...]) -> tuple[Any, ...] | None:
        if not path:
            return ()
        if len(path) >= 2 and (path[0], path[1]) in self.origin:
            return self.origin[(path[0], path[1])] + tuple(path[2:])
        if path[0] not in (*LISTS, "templates"):
            return path  # written at the top of the trainer's file
        if (path[0], -1) in self.origin:
            return path
        return None

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple)

    def __getitem__(self, path: tuple[Any, ...]) -> tuple[int, int]:
        mapped = self._map(path)
        if mapped is None:
            return self.fallback
        return self.doc.where(mapped)

    def get(self, path: tuple[Any, ...], default: Any = None) -> Any:
        return self[path]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(())


def _split_keys(doc: Document, origin: dict[tuple[Any, ...], tuple[Any, ...]]) -> dict[tuple[Any, ...], str]:
    """The keys a comma split off in the trainer's file, at their paths in the merged topology."""
    if not doc.split_keys:
        return {}
    merged_at = {written: head for head, written in origin.items() if len(head) == 2 and head[1] != -1}
    out: dict[tuple[Any, ...], str] = {}
    for path, meant in doc.split_keys.items():
        head = merged_at.get(tuple(path[:2])) if len(path) >= 2 else None
        if head is not None:
            out[(*head, *path[2:])] = meant
        elif not path or path[0] not in (*LISTS, "templates") or (path[0], -1) in origin:
            out[path] = meant
    return out
