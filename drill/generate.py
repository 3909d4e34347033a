"""Large, realistic topologies for drills at city or national scale (``drill topology generate``).

A generated topology has the city's common part written out — the WAN core, the State Data Centre
with its shared applications and twenty information systems, the Electronic Portal in a DMZ, the
services and what they need — and N sites: district-level units and, below them, communes and
wards. Every site has a WAN router, a LAN switch and M hosts, each host one node (one machine):
a domain controller and a file server where the site is big enough, one-stop-shop desk PCs, and
civil servants' PCs. Communes reach the city WAN through their district's router.

Two written forms load to the same city:
- YAML (``.yaml``/``.yml``): compact — one line per site, the LANs built from two templates
  (``district`` and ``commune``), so 100,000 nodes take well under a megabyte;
- JSON (``.json``): an inventory with every node and link written out, as an export from an
  asset database would be.

The size is ``sites × (hosts_per_site + 2) + COMMON_NODES`` nodes (see ``node_count``).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .diagnostics import DrillError
from .i18n import get_language, t
from .outputs import add_force, check_output, write_text
from .yamlio import MAX_YAML_BYTES, dump_yaml, flow_yaml

MAX_SITES = 50_000
MAX_HOSTS_PER_SITE = 10_000
MAX_NODES = 1_000_000
SUFFIXES = (".yaml", ".yml", ".json")

# The 30 district-level units of Hanoi in 2015: id, English, Vietnamese, kind, population.
DISTRICTS: tuple[tuple[str, str, str, str, int], ...] = (
    ("ba-dinh", "Ba Dinh District", "Quận Ba Đình", "urban-district", 240000),
    ("hoan-kiem", "Hoan Kiem District", "Quận Hoàn Kiếm", "urban-district", 150000),
    ("tay-ho", "Tay Ho District", "Quận Tây Hồ", "urban-district", 156000),
    ("long-bien", "Long Bien District", "Quận Long Biên", "urban-district", 285000),
    ("cau-giay", "Cau Giay District", "Quận Cầu Giấy", "urban-district", 262000),
    ("dong-da", "Dong Da District", "Quận Đống Đa", "urban-district", 405000),
    ("hai-ba-trung", "Hai Ba Trung District", "Quận Hai Bà Trưng", "urban-district", 315000),
    ("hoang-mai", "Hoang Mai District", "Quận Hoàng Mai", "urban-district", 400000),
    ("thanh-xuan", "Thanh Xuan District", "Quận Thanh Xuân", "urban-district", 275000),
    ("ha-dong", "Ha Dong District", "Quận Hà Đông", "urban-district", 320000),
    ("bac-tu-liem", "Bac Tu Liem District", "Quận Bắc Từ Liêm", "urban-district", 315000),
    ("nam-tu-liem", "Nam Tu Liem District", "Quận Nam Từ Liêm", "urban-district", 230000),
    ("son-tay", "Son Tay Town", "Thị xã Sơn Tây", "town", 135000),
    ("ba-vi", "Ba Vi District", "Huyện Ba Vì", "rural-district", 275000),
    ("chuong-my", "Chuong My District", "Huyện Chương Mỹ", "rural-district", 315000),
    ("dan-phuong", "Dan Phuong District", "Huyện Đan Phượng", "rural-district", 155000),
    ("dong-anh", "Dong Anh District", "Huyện Đông Anh", "rural-district", 355000),
    ("gia-lam", "Gia Lam District", "Huyện Gia Lâm", "rural-district", 260000),
    ("hoai-duc", "Hoai Duc District", "Huyện Hoài Đức", "rural-district", 220000),
    ("me-linh", "Me Linh District", "Huyện Mê Linh", "rural-district", 210000),
    ("my-duc", "My Duc District", "Huyện Mỹ Đức", "rural-district", 185000),
    ("phu-xuyen", "Phu Xuyen District", "Huyện Phú Xuyên", "rural-district", 190000),
    ("phuc-tho", "Phuc Tho District", "Huyện Phúc Thọ", "rural-district", 172000),
    ("quoc-oai", "Quoc Oai District", "Huyện Quốc Oai", "rural-district", 176000),
    ("soc-son", "Soc Son District", "Huyện Sóc Sơn", "rural-district", 315000),
    ("thach-that", "Thach That District", "Huyện Thạch Thất", "rural-district", 193000),
    ("thanh-oai", "Thanh Oai District", "Huyện Thanh Oai", "rural-district", 190000),
    ("thanh-tri", "Thanh Tri District", "Huyện Thanh Trì", "rural-district", 240000),
    ("thuong-tin", "Thuong Tin District", "Huyện Thường Tín", "rural-district", 235000),
    ("ung-hoa", "Ung Hoa District", "Huyện Ứng Hòa", "rural-district", 195000),
)
# Hanoi had 30 district-level units over some 580 communes and wards: one district per ~20 sites.
SITES_PER_DISTRICT = 20.3

# The city's information systems in the data centre: id, English, Vietnamese, criticality,
# hosts per tier, data in GB, and the level of the online public service built on it, if any.
# fmt: off
SYSTEMS: tuple[tuple[str, str, str, str, int, int, int | None], ...] = (
    ("land", "Land information system", "Hệ thống thông tin đất đai", "high", 2, 4000, 3),
    ("business-registration", "Business registration database",
     "Cơ sở dữ liệu đăng ký doanh nghiệp", "high", 2, 600, 4),
    ("civil-status", "Civil status database", "Cơ sở dữ liệu hộ tịch", "high", 2, 900, 3),
    ("judicial-records", "Judicial records database", "Cơ sở dữ liệu lý lịch tư pháp", "high", 2, 300, 3),
    ("finance", "Budget and finance management system",
     "Hệ thống quản lý tài chính - ngân sách", "critical", 2, 800, None),
    ("tax-cooperation", "Tax information exchange system",
     "Hệ thống phối hợp trao đổi thông tin thuế", "medium", 1, 400, None),
    ("construction-permits", "Construction permit management system",
     "Hệ thống quản lý cấp phép xây dựng", "medium", 1, 500, 3),
    ("transport", "Vehicle and driving licence management system",
     "Hệ thống quản lý phương tiện và giấy phép lái xe", "medium", 1, 700, 3),
    ("environment", "Natural resources and environment database",
     "Cơ sở dữ liệu tài nguyên và môi trường", "medium", 1, 2000, None),
    ("population", "Population database", "Cơ sở dữ liệu dân cư", "high", 2, 1500, None),
    ("labour", "Labour, employment and social protection database",
     "Cơ sở dữ liệu lao động, việc làm và an sinh xã hội", "medium", 1, 800, None),
    ("cadres", "Cadres and civil servants database",
     "Cơ sở dữ liệu cán bộ, công chức, viên chức", "high", 2, 200, None),
    ("planning", "Urban planning information system",
     "Hệ thống thông tin quy hoạch đô thị", "medium", 1, 1500, None),
    ("statistics", "Socio-economic statistics database",
     "Cơ sở dữ liệu thống kê kinh tế - xã hội", "low", 1, 150, None),
    ("gis", "City GIS platform",
     "Hệ thống thông tin địa lý (GIS) dùng chung Thành phố", "medium", 1, 3000, None),
    ("culture", "Culture, heritage and tourism database",
     "Cơ sở dữ liệu văn hóa, di sản và du lịch", "low", 1, 300, 3),
    ("agriculture", "Agriculture and rural development database",
     "Cơ sở dữ liệu nông nghiệp và phát triển nông thôn", "low", 1, 150, None),
    ("investment", "Investment project management system",
     "Hệ thống quản lý dự án đầu tư", "medium", 1, 600, 3),
    ("complaints", "Complaints and denunciations system",
     "Hệ thống quản lý khiếu nại, tố cáo", "medium", 1, 200, 3),
    ("education", "Education management system", "Hệ thống quản lý giáo dục", "medium", 1, 1200, 3),
)
# fmt: on

LAN_TRAFFIC = ["web", "mail", "smb", "rdp", "ldap", "dns", "video", "db", "update"]
WAN_TRAFFIC = ["web", "mail", "smb", "rdp", "db", "ldap", "dns", "video", "update"]
PC_TRAFFIC = ["web", "mail", "smb", "rdp", "ldap"]
# what each kind of data-centre server accepts from the core switch
SERVER_TRAFFIC = {
    "domain-controller": ["ldap", "dns", "smb", "rdp"],
    "backup-server": ["smb", "ssh", "db", "rdp"],
    "app-server": ["web", "rdp", "ssh", "ldap"],
    "database": ["db", "ssh", "rdp"],
    "video-server": ["video", "web", "ssh"],
    "signing-server": ["web", "ldap", "ssh"],
    "mail-server": ["mail", "web", "ldap", "rdp"],
    "workstations": ["rdp", "ssh", "web", "ldap", "smb", "db"],
    "security-sensor": ["web", "ssh"],
}


def _text(en: str, vi: str) -> dict[str, str]:
    return {"en": en, "vi": vi}


def _sensors(coverage: Any, delay: Any) -> dict[str, Any]:
    return {"coverage": coverage, "delay": {"exponential": delay}}


def _node(nid: str, en: str, vi: str, kind: str, site: str, zone: str, **more: Any) -> dict[str, Any]:
    return {"id": nid, "name": _text(en, vi), "kind": kind, "site": site, "zone": zone, **more}


# ---------------------------------------------------------------- the common part


# fmt: off
def _common_nodes() -> list[dict[str, Any]]:
    dc, watched = "datacentre", _sensors(0.7, "30m")
    nodes = [
        _node("wan-core", "City WAN core router", "Bộ định tuyến lõi mạng WAN Thành phố", "wan-core",
              "city-wan", "wan", criticality="critical", rebuild="2d", sensors=_sensors(0.4, "2h")),
        _node("internet", "Internet", "Internet", "internet", "internet", "internet", criticality="low"),
        _node("sdc-fw", "Data centre firewall", "Tường lửa Trung tâm Dữ liệu", "firewall", "sdc", dc,
              criticality="critical", hosts=2, sensors=_sensors(0.85, "30m")),
        _node("sdc-core", "Data centre core switch", "Bộ chuyển mạch lõi Trung tâm Dữ liệu", "switch",
              "sdc", dc, criticality="critical", hosts=2, sensors=_sensors(0.6, "30m")),
        _node("sdc-ad", "City directory (Active Directory)",
              "Hệ thống quản lý danh tính tập trung (Active Directory)", "domain-controller", "sdc", dc,
              criticality="critical", hosts=2, data_gb=20, backup={"restore": "4h"},
              sensors=_sensors(0.8, "30m")),
        _node("sdc-backup", "Backup server", "Máy chủ sao lưu", "backup-server", "sdc", dc,
              criticality="high", hosts=2, data_gb=30000, backup="none", rebuild="3d",
              sensors=_sensors(0.6, "30m")),
        _node("sdc-admin", "Administrators' workstations", "Máy trạm quản trị", "workstations", "sdc",
              "management", criticality="high", hosts=12, tags=["admin"], sensors=_sensors(0.6, "30m")),
        _node("sdc-siem", "Security monitoring (log collection)",
              "Hệ thống giám sát an toàn thông tin (thu thập nhật ký)", "security-sensor", "sdc",
              "management", data_gb=500, sensors=_sensors(0.8, "30m")),
    ]
    for short, svc, en, vi, hosts, data in (
        ("docmgmt", "document-management", "Document management and work records",
         "Quản lý văn bản và hồ sơ công việc", 4, 3500),
        ("onestop", "one-stop-shop", "Electronic one-stop shop", "Một cửa điện tử", 4, 2000),
    ):
        nodes.append(_node(f"sdc-{short}-app", f"{en} – application server", f"Máy chủ ứng dụng – {vi}",
                           "app-server", "sdc", dc, criticality="critical", hosts=hosts, services=[svc],
                           tags=["shared-app"], backup={"restore": "4h"}, sensors=_sensors(0.75, "30m")))
        nodes.append(_node(f"sdc-{short}-db", f"{en} – database server", f"Máy chủ cơ sở dữ liệu – {vi}",
                           "database", "sdc", dc, criticality="critical", hosts=2, data_gb=data,
                           services=[svc], tags=["shared-app"], backup={"restore": "10h"},
                           sensors=_sensors(0.75, "30m")))
    nodes += [
        _node("sdc-meeting-mcu", "Online meetings (video conference unit)",
              "Hệ thống giao ban trực tuyến (MCU)", "video-server", "sdc", dc, criticality="high", hosts=2,
              services=["online-meetings"], tags=["shared-app"], backup="none", rebuild="2d",
              sensors=_sensors(0.6, "30m")),
        _node("sdc-sign-ca", "Digital signature server", "Máy chủ chữ ký số", "signing-server", "sdc", dc,
              criticality="critical", hosts=2, data_gb=5, services=["digital-signatures"],
              tags=["shared-app"], backup={"restore": "6h", "offline": True}, sensors=_sensors(0.9, "30m")),
        _node("sdc-mail", "City e-mail servers", "Máy chủ thư điện tử Thành phố", "mail-server", "sdc", dc,
              criticality="high", hosts=4, data_gb=8000, services=["email"], tags=["shared-app"],
              exposed=True, backup={"restore": "12h"}, sensors=watched),
    ]
    for sid, en, vi, crit, hosts, data, _level in SYSTEMS:
        nodes.append(_node(f"sdc-{sid}-app", f"{en} – application server", f"Máy chủ ứng dụng – {vi}",
                           "app-server", "sdc", dc, criticality=crit, hosts=hosts, services=[sid],
                           tags=["city-system"], backup={"restore": "4h"}, sensors=watched))
        nodes.append(_node(f"sdc-{sid}-db", f"{en} – database server", f"Máy chủ cơ sở dữ liệu – {vi}",
                           "database", "sdc", dc, criticality=crit, hosts=hosts, data_gb=data, services=[sid],
                           tags=["city-system"], backup={"restore": "8h"}, sensors=watched))
    portal = ("Cổng Giao tiếp điện tử", "portal", "dmz")
    nodes += [
        _node("portal-fw", "Portal firewall", f"Tường lửa {portal[0]}", "firewall", *portal[1:],
              criticality="critical", hosts=2, exposed=True, sensors=_sensors(0.8, "30m")),
        _node("portal-web", "Portal web servers", f"Máy chủ web {portal[0]}", "web-server", *portal[1:],
              criticality="critical", hosts=4, services=["electronic-portal"], exposed=True,
              backup={"restore": "3h"}, sensors=watched),
        _node("portal-app", "Portal application server", f"Máy chủ ứng dụng {portal[0]}", "app-server",
              *portal[1:], criticality="critical", hosts=2, services=["electronic-portal"],
              backup={"restore": "4h"}, sensors=watched),
        _node("portal-db", "Portal database", f"Cơ sở dữ liệu {portal[0]}", "database", *portal[1:],
              criticality="critical", hosts=2, data_gb=600, services=["electronic-portal"],
              backup={"restore": "6h"}, sensors=watched),
    ]
    return nodes


def _common_links(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def link(a: str, b: str, kind: str, *allows: str) -> dict[str, Any]:
        return {"from": a, "to": b, "kind": kind, "allows": list(allows)}

    links = [
        link("sdc-fw", "wan-core", "wan", "web", "mail", "ldap", "video", "dns", "db", "rdp"),
        link("sdc-fw", "internet", "internet", "mail", "web"),
        link("sdc-core", "sdc-fw", "lan", "any"),
    ]
    links += [link(n["id"], "sdc-core", "lan", *SERVER_TRAFFIC[n["kind"]])
              for n in nodes if n["site"] == "sdc" and n["kind"] in SERVER_TRAFFIC]
    links += [
        link("sdc-admin", "sdc-ad", "trust", "rdp", "smb"),  # domain-admin accounts on the directory
        link("internet", "portal-fw", "internet", "web"),
        link("portal-fw", "portal-web", "dmz", "web"),
        link("portal-web", "portal-app", "dmz", "web"),
        link("portal-app", "portal-db", "dmz", "db"),
        # the portal hands online applications to the one-stop shop in the data centre
        link("portal-fw", "sdc-fw", "dmz", "web", "db"),
    ]
    return links


def _services(officials: int, citizens: int) -> list[dict[str, Any]]:
    def service(sid: str, en: str, vi: str, kind: str, needs: list[str], **more: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"id": sid, "name": _text(en, vi), "kind": kind}
        if "level" in more:
            out["level"] = more.pop("level")
        if needs:
            out["requires"] = {"services": needs}
        return {**out, **more}

    def share(part: float) -> dict[str, int]:
        return {"officials": int(officials * part)}

    wan = ["city-wan"]
    out = [
        {"id": "city-wan", "name": _text("City wide-area network", "Mạng tin học diện rộng Thành phố"),
         "kind": "infrastructure", "requires": {"nodes": ["wan-core"]}, "serves": share(1)},
        {"id": "directory", "name": _text("City directory and single sign-on",
                                          "Dịch vụ danh bạ và xác thực tập trung"),
         "kind": "infrastructure", "requires": {"nodes": ["sdc-ad"]}, "serves": share(1)},
        service("document-management", "Document management and work records",
                "Quản lý văn bản và hồ sơ công việc", "shared-app", [*wan, "digital-signatures", "directory"],
                serves=share(0.9)),
        # the units' desks use it over the WAN, with or without the portal; citizens file online in
        # the online public services, which need both
        service("one-stop-shop", "Electronic one-stop shop", "Một cửa điện tử", "shared-app", wan,
                serves={"citizens": citizens, **share(0.12)}),
        service("online-meetings", "Online meetings", "Giao ban trực tuyến", "shared-app", wan,
                serves=share(0.12)),
        service("digital-signatures", "Digital signatures", "Chữ ký số", "shared-app", wan,
                serves=share(0.25)),
        service("email", "E-mail", "Thư điện tử", "shared-app", [*wan, "directory"], serves=share(0.9)),
        service("electronic-portal", "City Electronic Portal", "Cổng Giao tiếp điện tử Thành phố", "system",
                [], serves={"citizens": citizens * 2, "officials": 300}, from_internet=True),
    ]
    out += [service(sid, en, vi, "system", wan, serves={"officials": max(50, int(officials * 0.05))})
            for sid, en, vi, _crit, _hosts, _data, _level in SYSTEMS]
    out += [service(f"ps-{sid}", f"Online public service: {en}", f"Dịch vụ công trực tuyến: {vi}",
                    "public-service", ["one-stop-shop", "electronic-portal", sid], level=level,
                    serves={"citizens": max(100, citizens // 20)}, from_internet=True)
            for sid, en, vi, _crit, _hosts, _data, level in SYSTEMS if level is not None]
    return out


ZONES = (
    ("internet", "Internet", "Internet"),
    ("dmz", "Demilitarised zone (DMZ)", "Vùng phi quân sự (DMZ)"),
    ("wan", "City wide-area network", "Mạng tin học diện rộng Thành phố"),
    ("datacentre", "State Data Centre server zone", "Vùng máy chủ Trung tâm Dữ liệu"),
    ("management", "Management and monitoring", "Vùng quản trị và giám sát"),
    ("district-lan", "District LANs", "Mạng nội bộ các quận, huyện, thị xã"),
    ("commune-lan", "Commune and ward LANs", "Mạng nội bộ các xã, phường, thị trấn"),
)

COMMON_SITES: list[dict[str, Any]] = [
    {"id": "city-wan", "name": _text("City wide-area network", "Mạng tin học diện rộng Thành phố"),
     "kind": "core", "group": "core", "gateway": "wan-core"},
    {"id": "internet", "name": _text("Internet", "Internet"), "kind": "external", "group": "external"},
    {"id": "sdc", "name": _text("State Data Centre", "Trung tâm Dữ liệu Nhà nước Thành phố"),
     "kind": "datacentre", "group": "datacentre", "staff": 35, "gateway": "sdc-fw"},
    {"id": "portal", "name": _text("City Electronic Portal", "Cổng Giao tiếp điện tử Thành phố"),
     "kind": "portal", "group": "portal", "staff": 12, "gateway": "portal-fw"},
]
# fmt: on

COMMON_NODES = len(_common_nodes())
SITE_INFRA_NODES = 2  # each site's WAN router and LAN switch


def node_count(sites: int, hosts_per_site: int) -> int:
    """How many nodes ``generate_topology(sites, hosts_per_site)`` has."""
    return sites * (hosts_per_site + SITE_INFRA_NODES) + COMMON_NODES


# ---------------------------------------------------------------- the sites


def _layout(hosts: int, district: bool) -> tuple[list[str], int, int]:
    """A site's M hosts: its servers (by role), its one-stop desk PCs and its other PCs."""
    if district:
        servers = ["dc", "srv"][: min(2, hosts // 5)]
        desks = min(20, (hosts - len(servers)) // 8)
    else:
        servers = ["srv"][: min(1, hosts // 8)]
        desks = min(4, (hosts - len(servers)) // 8)
    return servers, desks, hosts - len(servers) - desks


def _template(hosts: int, district: bool) -> dict[str, Any]:
    zone = "district-lan" if district else "commune-lan"
    servers, desks, pcs = _layout(hosts, district)
    sensors = _sensors("{cov}", "{delay}")
    nodes: list[dict[str, Any]] = [
        {
            "id": "{site}-gw",
            "name": _text("{name_en} WAN router", "Bộ định tuyến WAN – {name_vi}"),
            "kind": "router",
            "zone": "wan",
            "sensors": _sensors(0.1, "{delay}"),
        },
        {
            "id": "{site}-sw",
            "name": _text("{name_en} LAN switch", "Bộ chuyển mạch LAN – {name_vi}"),
            "kind": "switch",
            "zone": zone,
            "sensors": _sensors(0.1, "{delay}"),
        },
    ]
    links: list[dict[str, Any]] = [
        {"from": "{site}-gw", "to": "{site}-sw", "kind": "lan", "allows": LAN_TRAFFIC},
        {"from": "{site}-gw", "to": "{uplink}", "kind": "wan", "allows": WAN_TRAFFIC},
    ]
    if "dc" in servers:
        nodes.append(
            {
                "id": "{site}-dc",
                "name": _text("{name_en} domain controller", "Máy chủ quản lý miền – {name_vi}"),
                "kind": "domain-controller",
                "zone": zone,
                "criticality": "high",
                "data_gb": 2,
                "rebuild": "2d",
                "sensors": _sensors("{cov_srv}", "{delay}"),
            }
        )
        links.append(
            {"from": "{site}-sw", "to": "{site}-dc", "kind": "lan", "allows": ["ldap", "dns", "smb", "rdp"]}
        )
    if "srv" in servers:
        nodes.append(
            {
                "id": "{site}-srv",
                "name": _text("{name_en} file server", "Máy chủ lưu trữ tệp – {name_vi}"),
                "kind": "file-server",
                "zone": zone,
                "criticality": "{crit}",
                "data_gb": "{data}",
                "backup": {"restore": "{restore}"},
                "sensors": _sensors("{cov_srv}", "{delay}"),
            }
        )
        links.append({"from": "{site}-sw", "to": "{site}-srv", "kind": "lan", "allows": ["smb", "rdp"]})
    width = len(str(max(desks, 1)))
    for i in range(1, desks + 1):
        nid = f"{{site}}-desk-{i:0{width}d}"
        nodes.append(
            {
                "id": nid,
                "name": _text(f"{{name_en}} one-stop desk PC {i}", f"Máy bộ phận một cửa {i} – {{name_vi}}"),
                "kind": "workstations",
                "zone": zone,
                "criticality": "high",
                "tags": ["one-stop"],
                "sensors": sensors,
            }
        )
        links.append({"from": "{site}-sw", "to": nid, "kind": "lan", "allows": PC_TRAFFIC})
    width = len(str(max(pcs, 1)))
    for i in range(1, pcs + 1):
        nid = f"{{site}}-pc-{i:0{width}d}"
        nodes.append({"id": nid, "kind": "workstations", "zone": zone, "rebuild": "4h", "sensors": sensors})
        links.append({"from": "{site}-sw", "to": nid, "kind": "lan", "allows": PC_TRAFFIC})
    params: dict[str, Any] = {
        "cov": 0.2,
        "delay": "4h",
        "cov_srv": 0.3,
        "restore": "8h",
        "data": 200,
        "crit": "medium",
        "uplink": "wan-core",  # a commune's router hangs off its district's instead
    }
    return {"params": params, "gateway": "{site}-gw", "nodes": nodes, "links": links}


def _district_rows(count: int, rng: random.Random) -> Iterator[tuple[str, str, str, str, int]]:
    for k in range(count):
        if k < len(DISTRICTS):
            yield DISTRICTS[k]
        else:  # a national drill: more district-level units than Hanoi has
            urban = rng.random() < 0.4
            n = k + 1
            yield (
                f"district-{n}",
                f"District {n}",
                f"Quận {n}" if urban else f"Huyện {n}",
                "urban-district" if urban else "rural-district",
                rng.randrange(100_000, 400_000, 1000),
            )


def number(value: int) -> str:
    """``50000`` as ``50,000`` (English) or ``50.000`` (Vietnamese)."""
    text = f"{value:,}"
    return text.replace(",", ".") if get_language() == "vi" else text


def check_size(sites: int, hosts_per_site: int) -> None:
    """Raise DrillError when a size is not one we can generate."""
    if sites < 1 or sites > MAX_SITES:
        raise DrillError(t("generate.bad_sites", value=sites, limit=number(MAX_SITES)))
    if hosts_per_site < 1 or hosts_per_site > MAX_HOSTS_PER_SITE:
        raise DrillError(t("generate.bad_hosts", value=hosts_per_site, limit=number(MAX_HOSTS_PER_SITE)))
    total = node_count(sites, hosts_per_site)
    if total > MAX_NODES:
        raise DrillError(t("generate.too_big", nodes=number(total), limit=number(MAX_NODES)))


def generate_topology(sites: int, hosts_per_site: int, seed: int = 1) -> dict[str, Any]:
    """A topology document (compact form: sites built from templates) as plain data.

    ``sites`` district-level units and communes, each with ``hosts_per_site`` hosts; the same
    arguments always give the same document."""
    check_size(sites, hosts_per_site)
    if seed < 0:
        raise DrillError(t("generate.bad_seed", value=seed))
    rng = random.Random(seed)
    n_districts = max(1, min(sites, round(sites / SITES_PER_DISTRICT)))
    districts = list(_district_rows(n_districts, rng))
    # communes go to districts in proportion to their population, then are numbered in each
    weights = [row[4] for row in districts]
    parents = sorted(rng.choices(range(n_districts), weights, k=sites - n_districts))
    site_entries: list[dict[str, Any]] = []
    trust_links: list[dict[str, Any]] = []
    servers_d, _d, _p = _layout(hosts_per_site, True)
    servers_c, _d, _p = _layout(hosts_per_site, False)
    officials = 0
    citizens_total = 0
    for did, en, vi, kind, population in districts:
        staff = max(1, round(hosts_per_site * rng.uniform(0.8, 1.0)))
        officials += staff
        citizens_total += population
        site_entries.append(
            {
                "id": did,
                "name": _text(en, vi),
                "kind": kind,
                "group": "districts",
                "template": "district",
                "population": population,
                "staff": staff,
                "params": _site_params(rng, True),
            }
        )
        # some districts' administrators reuse their account on the city directory
        if "dc" in servers_d and rng.random() < 0.3:
            trust_links.append(
                {"from": f"{did}-dc", "to": "sdc-ad", "kind": "trust", "allows": ["rdp", "smb"]}
            )
    numbers = [0] * n_districts
    for d in parents:
        numbers[d] += 1
        did, en, vi, kind, population = districts[d]
        n = numbers[d]
        urban = kind == "urban-district"
        place_en, place_vi, short = ("Ward", "Phường", "p") if urban else ("Commune", "Xã", "x")
        area_en = en.removesuffix(" District").removesuffix(" Town")
        area_vi = vi
        cid = f"{did}-{short}{n:02d}"
        staff = max(1, round(hosts_per_site * rng.uniform(0.8, 1.0)))
        officials += staff
        site_entries.append(
            {
                "id": cid,
                "name": _text(f"{place_en} {n}, {area_en}", f"{place_vi} {n}, {area_vi}"),
                "kind": "commune",
                "group": "communes",
                "template": "commune",
                "population": max(
                    1000, round(population / max(1, sites / n_districts) * rng.uniform(0.5, 1.5))
                ),
                "staff": staff,
                "params": {"uplink": f"{did}-gw", **_site_params(rng, False)},
            }
        )
        # a commune's file server shares the district's administrator account
        if "srv" in servers_c and "dc" in servers_d and rng.random() < 0.15:
            trust_links.append(
                {"from": f"{cid}-srv", "to": f"{did}-dc", "kind": "trust", "allows": ["rdp", "smb"]}
            )
    nodes = _common_nodes()
    daily = max(1000, citizens_total // 100)
    return {
        "topology": f"generated-{sites}x{hosts_per_site}-s{seed}",
        "version": 1,
        "name": _text(
            f"Generated city network: {sites} sites of {hosts_per_site} hosts (seed {seed})",
            f"Mạng thành phố sinh tự động: {sites} đơn vị, mỗi đơn vị {hosts_per_site} máy (seed {seed})",
        ),
        "description": _text(
            "A city WAN core, the State Data Centre with the shared applications and the city's "
            "information systems, the Electronic Portal, and district-level units with communes and "
            "wards below them, each with its own LAN.",
            "Mạng WAN Thành phố, Trung tâm Dữ liệu với các ứng dụng dùng chung và hệ thống thông tin "
            "của Thành phố, Cổng Giao tiếp điện tử, các quận, huyện cùng các xã, phường trực thuộc, "
            "mỗi đơn vị có mạng nội bộ riêng.",
        ),
        "zones": [{"id": z, "name": _text(en, vi)} for z, en, vi in ZONES],
        "sites": [*COMMON_SITES, *site_entries],
        "templates": {
            "district": _template(hosts_per_site, True),
            "commune": _template(hosts_per_site, False),
        },
        "nodes": nodes,
        "links": [*_common_links(nodes), *trust_links],
        "services": _services(max(officials, 100), daily),
    }


def _site_params(rng: random.Random, district: bool) -> dict[str, Any]:
    return {
        "cov": rng.choice((0.1, 0.15, 0.2, 0.25, 0.3)),
        "delay": rng.choice(("2h", "3h", "4h", "6h")),
        "cov_srv": rng.choice((0.2, 0.3, 0.4)),
        "restore": rng.choice(("4h", "6h", "8h", "12h")),
        "data": rng.randrange(300, 1500, 50) if district else rng.randrange(20, 200, 10),
        "crit": "high" if district else "medium",
    }


# ---------------------------------------------------------------- the inventory form


def _fill(value: Any, values: dict[str, Any]) -> Any:
    # the loader's rule: a whole "{name}" keeps the parameter's type, other text is formatted
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]
        return value.format(**values) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def expand_topology(data: dict[str, Any]) -> dict[str, Any]:
    """The same topology with every templated node and link written out, and no templates."""
    templates = data.get("templates", {})
    nodes = list(data.get("nodes", []))
    links = list(data.get("links", []))
    sites = []
    for site in data["sites"]:
        name = site.get("template")
        if name is None:
            sites.append(site)
            continue
        template = templates[name]
        values = {**template.get("params", {}), **site.get("params", {})}
        name_text = site["name"]
        names = {"en": name_text, "vi": name_text} if isinstance(name_text, str) else name_text
        values.update(site=site["id"], name_en=names["en"], name_vi=names["vi"])
        for raw in template.get("nodes", ()):
            node = _fill(raw, values)
            nodes.append({"id": node.pop("id"), "site": site["id"], **node})
        links.extend(_fill(raw, values) for raw in template.get("links", ()))
        out = {k: v for k, v in site.items() if k not in ("template", "params")}
        if template.get("gateway") and "gateway" not in site:
            out["gateway"] = _fill(template["gateway"], values)
        sites.append(out)
    expanded = {k: v for k, v in data.items() if k != "templates"}
    expanded.update(sites=sites, nodes=nodes, links=links)
    return expanded


# ---------------------------------------------------------------- writing


def topology_text(data: dict[str, Any], suffix: str, command: str = "") -> str:
    """The document as file text: compact YAML, or an inventory in JSON (one entry per line)."""
    if suffix == ".json":
        return _json_text(expand_topology(data))
    return _yaml_text(data, command)


def _json_text(data: dict[str, Any]) -> str:
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f"{json.dumps(key)}: [\n{items}\n]")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _yaml_text(data: dict[str, Any], command: str) -> str:
    lines = [f"# {line}" if line else "#" for line in t("generate.yaml_header", command=command).splitlines()]
    lines.append("")
    for key in (
        "topology",
        "version",
        "name",
        "description",
        "zones",
        "sites",
        "templates",
        "nodes",
        "links",
        "services",
    ):
        if key not in data:
            continue
        value = data[key]
        if key in ("zones", "sites", "templates", "nodes", "links", "services"):
            lines.append("")
        if key == "templates":
            lines.append("templates:")
            for name, template in value.items():
                lines.append(f"  {name}:")
                lines.append(f"    params: {flow_yaml(template['params'])}")
                lines.append(f"    gateway: {flow_yaml(template['gateway'])}")
                for part in ("nodes", "links"):
                    lines.append(f"    {part}:")
                    lines.extend(f"      - {flow_yaml(item)}" for item in template[part])
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  - {flow_yaml(item)}" for item in value)
        else:
            lines.append(f"{key}: {flow_yaml(value)}")
    return "\n".join(lines) + "\n"


def write_topology(data: dict[str, Any], path: Path | str, command: str = "") -> int:
    """Write the topology to ``path`` in the form its suffix asks for; return the bytes written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DrillError(t("generate.bad_suffix", file=str(path), suffixes=", ".join(SUFFIXES)))
    text = topology_text(data, suffix, command)
    size = len(text.encode("utf-8"))
    if suffix != ".json" and size > MAX_YAML_BYTES:
        raise DrillError(t("generate.yaml_too_big", size=number(size), limit=number(MAX_YAML_BYTES)))
    if path.is_dir():
        raise DrillError(t("generate.cannot_write", file=str(path), reason=t("generate.is_folder")))
    write_text(path, text, what="generate.cannot_write")
    return size


# ---------------------------------------------------------------- the command


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``generate`` under ``drill topology``."""
    p = sub.add_parser(
        "generate", help=t("generate.help"), description=t("generate.description", common=COMMON_NODES)
    )
    p.add_argument("--sites", type=int, required=True, metavar="N", help=t("generate.sites_help"))
    p.add_argument("--hosts-per-site", type=int, required=True, metavar="M", help=t("generate.hosts_help"))
    p.add_argument("--seed", type=int, default=1, metavar="S", help=t("generate.seed_help"))
    p.add_argument("-o", "--output", required=True, metavar="FILE", help=t("generate.output_help"))
    add_force(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.output)
    if path.suffix.lower() not in SUFFIXES:
        raise DrillError(t("generate.bad_suffix", file=str(path), suffixes=", ".join(SUFFIXES)))
    check_output(path, force=args.force, what="generate.cannot_write")
    data = generate_topology(args.sites, args.hosts_per_site, args.seed)
    command = (
        f"drill topology generate --sites {args.sites} --hosts-per-site {args.hosts_per_site} "
        f"--seed {args.seed} -o {path.name}"
    )
    size = write_topology(data, path, command)
    expanded_links = len(data["links"]) + sum(
        len(data["templates"][s["template"]]["links"]) for s in data["sites"] if s.get("template")
    )
    form = t("generate.form_json") if path.suffix.lower() == ".json" else t("generate.form_yaml")
    print(
        t(
            "generate.written",
            file=str(path),
            sites=args.sites,
            nodes=number(node_count(args.sites, args.hosts_per_site)),
            links=number(expanded_links),
            size=number(size),
            form=form,
        )
    )
    return 0


# ---------------------------------------------------------------- a scenario to go with it


def entry_node(data: dict[str, Any]) -> str:
    """The first civil servant's PC of the first district: where a phishing e-mail lands."""
    site = next(s for s in data["sites"] if s.get("template") == "district")
    template = data["templates"]["district"]
    first = next((n for n in template["nodes"] if "-pc-" in n["id"]), template["nodes"][-1])
    return str(first["id"]).replace("{site}", site["id"])


def worm_scenario(
    data: dict[str, Any], topology_file: str, *, duration: str = "8h", seed: int = 1
) -> dict[str, Any]:
    """A self-spreading ransomware worm for a generated topology: it lands on one PC, spreads over
    each LAN and across the city WAN, and encrypts what it holds; the city's and the sites' IT
    staff detect and respond. ``topology_file`` is the topology's file name, in the same folder."""
    first = entry_node(data)
    unit = next(s["id"] for s in data["sites"] if s.get("template") == "district")
    return {
        "scenario": f"worm-{data['topology']}",
        "title": _text(
            "A ransomware worm across the city network", "Sâu mã độc tống tiền lây lan khắp mạng thành phố"
        ),
        "description": _text(
            "A worm arrives in a phishing e-mail, spreads over the LANs through file sharing and across the "
            "city WAN, and starts encrypting an hour in.",
            "Sâu mã độc đến qua thư điện tử lừa đảo, lây lan trong mạng LAN qua chia sẻ tệp và qua mạng WAN "
            "thành phố, rồi bắt đầu mã hoá dữ liệu sau một giờ.",
        ),
        "unit": unit,
        "audience": ["city-soc", "local-it"],
        "topology": topology_file,
        "start": "2015-03-04T08:00:00+07:00",
        "duration": duration,
        "seed": seed,
        "teams": {
            "city-soc": {
                "name": _text("City security operations", "Tổ giám sát an toàn thông tin Thành phố"),
                "staff": 4,
                "watches": {"zone": ["datacentre", "dmz", "wan", "management"]},
            },
            "local-it": {
                "name": _text("District and commune IT staff", "Cán bộ CNTT quận, huyện và xã, phường"),
                "staff": 8,
                "watches": {"group": ["districts", "communes"]},
            },
            "national-cert": {
                "name": _text(
                    "National CERT (VNCERT)", "Trung tâm Ứng cứu khẩn cấp máy tính Việt Nam (VNCERT)"
                ),
                "staff": 6,
                "on_call": {"arrives_after": "4h"},
            },
        },
        "attacker": {
            "name": _text("A ransomware worm", "Sâu mã độc tống tiền"),
            "campaigns": [
                {
                    "id": "worm",
                    "stages": [
                        {
                            "id": "phish",
                            "technique": "T1566.001",
                            "at": "T+0m",
                            "targets": {"node": first},
                            "success": 1.0,
                        },
                        {
                            "id": "lan-spread",
                            "technique": "T1210",
                            "after": "phish",
                            "over": ["lan"],
                            "via": ["smb"],
                            "success": 0.6,
                            "delay": {"exponential": "10m"},
                            "attempts": 12,
                        },
                        {
                            "id": "wan-spread",
                            "technique": "T1210",
                            "after": {"stage": "phish", "wait": "20m"},
                            "over": ["lan", "wan"],
                            "via": ["smb"],
                            "success": 0.3,
                            "delay": {"exponential": "30m"},
                            "attempts": 4,
                        },
                        {
                            "id": "encrypt",
                            "technique": "T1486",
                            "after": {"stage": "phish", "wait": "1h"},
                            "effect": "encrypt",
                            "delay": {"exponential": "30m"},
                        },
                    ],
                }
            ],
        },
        "playbooks": {
            "ransomware": {
                "name": _text("Ransomware response", "Ứng phó mã độc tống tiền"),
                "steps": [
                    {"do": "triage", "takes": {"uniform": ["10m", "20m"]}},
                    {"do": "isolate", "takes": "5m"},
                    {"do": "reimage", "takes": {"uniform": ["1h", "2h"]}},
                    {"do": "restore", "takes": "from-backup"},
                ],
            }
        },
    }


def write_scenario(scenario: dict[str, Any], path: Path | str) -> None:
    """Write a scenario as YAML (next to its topology, which it names by file name)."""
    write_text(path, dump_yaml(scenario), what="generate.cannot_write")
