"""What to offer for a name that is not there, following the city's hierarchy.

Ids below a body start with the body's id (``ba-vi-gw``, and a commune of Ba Vì ``ba-vi-<commune>``),
so an unknown ``ba-vi-ba-trai`` is looked for among what lies under ``ba-vi`` — never across the
city, where ``hai-ba-trung`` is a closer string and a wrong answer. A body with nothing under it
says so: the topology has no such level. Short vocabularies (services, zones, kinds …) are listed
in full, since a trainer choosing among a dozen names wants to see them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..diagnostics import nearest
from ..i18n import get_language, t

if TYPE_CHECKING:
    from .city import City

# a vocabulary this short is listed whole after an unknown name
LIST_UP_TO = 40
# names listed at most when a body's units are offered instead of a near match
SHOWN_UNITS = 12
# the topology's short vocabularies: a trainer picks among them, so they are always shown
VOCABULARIES = ("service", "zone", "kind", "group", "tag")


def suggestion(what: str, name: str, pool: Iterable[str], city: City | None = None) -> str:
    """Text to append to "unknown {what} '{name}'": near names, the valid ones, or why none."""
    names = list(dict.fromkeys(pool))
    if city is not None and what in ("site", "node"):
        parent = parent_site(name, city)
        if parent is not None:
            return _under(what, name, parent, city)
    if not names:
        return t("validate.none_in_topology", what=t(f"validate.what_{what}"))
    close = nearest(name, names)
    out = t("validate.did_you_mean", names=", ".join(close)) if close else ""
    # the topology's vocabularies are listed whole; a scenario's own ids when nothing is near
    listed = what in VOCABULARIES or (not close and what not in ("site", "node"))
    if listed and len(names) <= LIST_UP_TO:
        out += t("validate.valid_names_also" if close else "validate.valid_names", names=", ".join(names))
    return out


def parent_site(name: str, city: City) -> str | None:
    """The body an id says it lies under: the longest site id that starts it, up to a '-'."""
    best = None
    for sid in city.sites:
        if name.startswith(sid + "-") and (best is None or len(sid) > len(best)):
            best = sid
    return best


def children(parent: str, city: City) -> list[str]:
    """The sites under ``parent``: those it names as their parent, or whose id starts with its id."""
    out = []
    for sid, site in city.sites.items():
        if sid == parent:
            continue
        said = getattr(site, "parent", None) or getattr(site, "district", None)
        if said == parent or (said is None and sid.startswith(parent + "-")):
            out.append(sid)
    return out


def site_name(sid: str, city: City) -> str:
    site = city.sites.get(sid)
    return _text(site.name) if site is not None else sid


def _under(what: str, name: str, parent: str, city: City) -> str:
    pool: Sequence[str]
    if what == "site":
        pool = children(parent, city)
        if not pool:
            # the topology stops at this body: nothing under it to offer, but the body itself
            return t("validate.no_level_below", parent=parent, name=site_name(parent, city))
    else:
        pool = [n for n in city.nodes_by_site.get(parent, ()) if n != name]
        if not pool:
            return t("validate.no_nodes_in", parent=parent, name=site_name(parent, city))
    close = nearest(name, pool)
    if close:
        return t("validate.did_you_mean", names=", ".join(close)) + t(
            "validate.under_body", parent=parent, name=site_name(parent, city)
        )
    shown = ", ".join(pool[:SHOWN_UNITS]) + (" …" if len(pool) > SHOWN_UNITS else "")
    key = "validate.units_of" if what == "site" else "validate.nodes_of"
    return t(key, parent=parent, name=site_name(parent, city), count=len(pool), names=shown)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    lang = get_language()
    return str(getattr(value, lang, None) or getattr(value, "en", "") or "")
