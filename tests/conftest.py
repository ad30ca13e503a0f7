"""Shared personas: the clerk of 莲池镇, the clerk of 花台乡, the reviewer of 沈丘县, and an admin.

They live in the real demo geography (fixtures/org_units.json) with the real data elements and
validation rules, so tests see what users see.
"""

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test.utils import override_settings
from playwright.sync_api import sync_playwright

from devtools.demo import load_fixtures
from indicators.models import DataElement
from org.models import County, Membership, Period, Township
from org.services import membership_assign
from reading.sections import REQUIRED_SECTION_KEYS
from reports.services.drafts import report_start
from tests.factories import UserFactory
from tests.helpers import submit_report

FULL_PARTS = {
    "measures_and_results": "全年调解矛盾纠纷400余件，开展普法活动30余场。",
    "shortcomings": "执法力量薄弱。",
    "leadership_duty": "党委书记带头学法。",
    "next_year_plan": "加强法治队伍建设。",
    "other": "",
}
assert set(REQUIRED_SECTION_KEYS) <= set(FULL_PARTS)


@dataclass
class Personas:
    lianchi: Township
    huatai: Township
    shenqiu: County
    period: Period
    clerk_lianchi: User
    clerk_huatai: User
    reviewer_shenqiu: User
    admin: User  # 系统管理员
    security: User  # 安全管理员
    auditor: User  # 审计管理员


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Loaded once; each test's transaction is rolled back on top of it.
    with django_db_blocker.unblock():
        load_fixtures()


@pytest.fixture
def geography(db):
    # Tests with transaction=True flush the tables, so later tests load them again.
    if not DataElement.objects.exists():
        load_fixtures()


@pytest.fixture
def personas(geography) -> Personas:
    lianchi = Township.objects.get(name="莲池镇")
    huatai = Township.objects.get(name="花台乡")
    shenqiu = County.objects.get(name="沈丘县")
    period = Period.objects.get(year=2023)

    def person(username, role, **place):
        user = UserFactory(username=username)
        membership_assign(user=user, role=role, **place)
        return user

    return Personas(
        lianchi=lianchi,
        huatai=huatai,
        shenqiu=shenqiu,
        period=period,
        clerk_lianchi=person("lianchi", Membership.Role.CLERK, township=lianchi),
        clerk_huatai=person("huatai", Membership.Role.CLERK, township=huatai),
        reviewer_shenqiu=person("shenqiu", Membership.Role.REVIEWER, county=shenqiu),
        admin=person("admin", Membership.Role.ADMIN),
        security=person("security", Membership.Role.SECURITY),
        auditor=person("auditor", Membership.Role.AUDITOR),
    )


@pytest.fixture
def draft(personas):
    """莲池镇's 2023 report, just started by its clerk."""
    return report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )


@pytest.fixture
def full_parts() -> dict[str, str]:
    return dict(FULL_PARTS)


@pytest.fixture
def sent(personas, full_parts):
    """莲池镇's 2023 report sent by its clerk: every part, 26 villages, all with a legal adviser.
    A test file that needs other figures defines its own `sent`."""
    return submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures={"villages_total": 26, "villages_with_legal_advisor": 26},
    )


@pytest.fixture(autouse=True, scope="session")
def media_in_tmp(tmp_path_factory):
    # Stored PDFs, imports and exports go to a folder of the test run's own, never to var/media.
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# One Chromium for the whole run, shared by the browser tests (tests/e2e) and the production-stack
# test (tests/deploy): Playwright's sync API allows one instance per thread.
CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: pages keep parts in the cache between requests, and
    a test must not see what another one left."""
    cache.clear()
