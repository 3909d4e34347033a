"""Build Hanoi's wards, communes and townships of 2015 into the bundled topology.

    pip install "vietnam-provinces==0.2"      # the source, needed only to rebuild
    python tools/build_communes.py            # rewrites topology/hanoi.yaml's commune block
                                              # and topology/hanoi-communes.csv
    python tools/build_communes.py --source nested-divisions.json   # the same from the JSON file

drill does not need the dataset at run time: this script writes what it takes from it into
``topology/hanoi.yaml`` (between the ``BEGIN communes`` and ``END communes`` lines) and a reference
CSV beside it, both under version control.

The source is the PyPI package ``vietnam-provinces`` (VietnamProvinces, maintained by Nguyễn Hồng
Quân), release 0.2, whose ``nested-divisions.json`` is the General Statistics Office's list of
administrative units as downloaded on 25 February 2020. For Hanoi it still holds the 584
commune-level units in force from the split of Từ Liêm district (2014) until the city's first
mergers of commune-level units (decided in December 2019, in force from February 2020): 177 wards
(phường), 386 communes (xã) and 21 townships (thị trấn) — the units of 2015, so nothing differs
from 2015. Release 0.3.0 of the same package has the 2020 list (579 units: two wards fewer in Hai
Bà Trưng, two communes fewer in Phúc Thọ and one in Phú Xuyên, three communes renamed), so a newer
release must not be used here; the script refuses a list whose Hanoi does not have 584 units.

The source has no population or equipment. Where they come from:
- population: the district's population in ``hanoi.yaml`` (rough 2015 orders of size) shared
  among its units in proportion to a weight by type (a ward 3, a township 2, a commune 2 —
  wards are denser), rounded to hundreds, so that the units of a district add up to the
  district exactly;
- staff: 23, the middle of the 21–25 cadres and civil servants Decree 92/2009/NĐ-CP allows a
  commune-level unit;
- machines: a rule of thumb, not a census — officials' PCs (a ward 10, a township 8, a commune 6,
  about one for every two or three officials) and a one-stop desk of 2 PCs (the reception and
  results desk, bộ phận tiếp nhận và trả kết quả);
- the link to the district: wards reach their district's router over the city WAN's fibre;
  communes and townships over a VPN (on ADSL or 3G in 2015).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = ROOT / "topology" / "hanoi.yaml"
CSV_PATH = ROOT / "topology" / "hanoi-communes.csv"
BEGIN = "  # ------------------------------------------------------------------ BEGIN communes"
END = "  # ------------------------------------------------------------------ END communes"
HANOI_CODE = 1
EXPECTED_UNITS = 584

# by the unit's type: (prefix in the source's name, kind word in English, weight, PCs, link)
TYPES = {
    "phường": ("Phường", "Ward", 3, 10, "wan"),
    "thị trấn": ("Thị trấn", "Township", 2, 8, "vpn"),
    "xã": ("Xã", "Commune", 2, 6, "vpn"),
}
DESK_PCS = 2
STAFF = 23


def ascii_fold(text: str) -> str:
    """Vietnamese without its marks: Đống Đa → Dong Da."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")


def short_name(name: str) -> str:
    """The unit's own name, without its type: Quận Ba Đình → Ba Đình."""
    for prefix in ("Thành phố ", "Thị xã ", "Quận ", "Huyện ", "Phường ", "Thị trấn ", "Xã "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def unit_type(ward: dict[str, Any]) -> str:
    for kind, (prefix, *_rest) in TYPES.items():
        if ward["name"].startswith(prefix + " "):
            return kind
    raise SystemExit(f"unknown unit type: {ward['name']}")


def read_source(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        try:
            import vietnam_provinces  # type: ignore[import-not-found]
        except ImportError:
            hint = 'the source is missing: pip install "vietnam-provinces==0.2", or --source FILE'
            raise SystemExit(hint) from None
        path = Path(vietnam_provinces.__file__).parent / "data" / "nested-divisions.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    hanoi = next(p for p in data if p["code"] == HANOI_CODE)
    units = sum(len(d["wards"]) for d in hanoi["districts"])
    if units != EXPECTED_UNITS:
        raise SystemExit(f"{path}: Hanoi has {units} commune-level units, not the {EXPECTED_UNITS} of 2015")
    return hanoi["districts"]


def district_populations(text: str) -> dict[str, int]:
    """The districts' ids and populations as hanoi.yaml has them."""
    out: dict[str, int] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"  - id: ([a-z0-9-]+)$", line)
        if m:
            current = m.group(1)
        m = re.match(r"    population: (\d+)$", line)
        if m and current:
            out[current] = int(m.group(1))
        if line.strip() == "group: districts" and current:
            out.setdefault(current, -1)
    return out


def share(total: int, weights: list[int]) -> list[int]:
    """``total`` shared by ``weights`` in hundreds, adding up to ``total`` exactly."""
    whole = sum(weights)
    parts = [round(total * w / whole / 100) * 100 for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def build(districts: list[dict[str, Any]], populations: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for district in districts:
        did = slug(short_name(district["name"]))
        if did not in populations:
            raise SystemExit(f"district {district['name']} ({did}) is not in hanoi.yaml")
        wards = district["wards"]
        kinds = [unit_type(w) for w in wards]
        people = share(populations[did], [TYPES[k][2] for k in kinds])
        seen: set[str] = set()
        names = [slug(short_name(w["name"])) for w in wards]
        for ward, kind, population in zip(wards, kinds, people, strict=True):
            own = short_name(ward["name"])
            uid = f"{did}-{slug(own)}"
            if names.count(slug(own)) > 1:  # Gia Lâm has a township and a commune named Yên Viên
                uid = f"{did}-{slug(kind)}-{slug(own)}"
            if uid in seen:
                raise SystemExit(f"two units named {uid}")
            seen.add(uid)
            _prefix, word, _weight, pcs, link = TYPES[kind]
            rows.append(
                {
                    "id": uid,
                    "district": did,
                    "gso_code": ward["code"],
                    "type": kind,
                    "name_vi": ward["name"],
                    "name_en": f"{ascii_fold(own)} {word}",
                    "district_vi": district["name"],
                    "population": population,
                    "staff": STAFF,
                    "pcs": pcs,
                    "desk": DESK_PCS,
                    "link": link,
                }
            )
    return rows


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def yaml_block(rows: list[dict[str, Any]]) -> str:
    lines = [
        BEGIN,
        "  # Wards, communes and townships of 2015, built by tools/build_communes.py from the General",
        "  # Statistics Office's list (see that script for the source, populations and machines); do not",
        "  # edit by hand: rebuild. Each is a small site from the template `commune` under its district.",
    ]
    district = None
    for r in rows:
        if r["district"] != district:
            district = r["district"]
            lines.append(f"  # {r['district_vi']}")
        params = f"district: {r['district']}, pcs: {r['pcs']}, desk: {r['desk']}, link: {r['link']}"
        lines.append(
            f"  - {{id: {r['id']}, name: {{en: {_quote(r['name_en'])}, vi: {_quote(r['name_vi'])}}}, "
            f"kind: commune, group: communes, parent: {r['district']}, template: commune, "
            f"population: {r['population']}, staff: {r['staff']}, params: {{{params}}}}}"
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def csv_text(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def splice(text: str, block: str) -> str:
    lines = text.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == BEGIN)
        end = next(i for i, line in enumerate(lines) if line.rstrip("\n") == END)
    except StopIteration:
        raise SystemExit(f"{TOPOLOGY}: no BEGIN/END communes lines to write between") from None
    return "".join(lines[:start]) + block + "".join(lines[end + 1 :])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="the package's nested-divisions.json")
    parser.add_argument("--check", action="store_true", help="say whether the files are up to date")
    args = parser.parse_args(argv)
    text = TOPOLOGY.read_text(encoding="utf-8")
    rows = build(read_source(args.source), district_populations(text))
    new_text, new_csv = splice(text, yaml_block(rows)), csv_text(rows)
    if args.check:
        same = new_text == text and CSV_PATH.exists() and CSV_PATH.read_text(encoding="utf-8") == new_csv
        print("up to date" if same else "out of date")
        return 0 if same else 1
    TOPOLOGY.write_text(new_text, encoding="utf-8")
    CSV_PATH.write_text(new_csv, encoding="utf-8")
    print(f"{len(rows)} units written to {TOPOLOGY.name} and {CSV_PATH.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
