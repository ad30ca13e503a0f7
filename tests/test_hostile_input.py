"""Hostile input, walked over the URL configuration like the permission matrix: every route of
the portal, as the role that reaches its view, gets every parameter its pages read (and every
field its forms send) replaced by inputs that broke pages before: 「²」 (a digit to str.isdigit(),
not to int()), a 5,000-digit number, NUL, a 1 MB string, bytes that are not UTF-8.

Never a server error; a refusal (4xx) says what is wrong in Chinese and changes nothing. A
request that is accepted (a draft may well contain 「²」) may change the database, and is rolled
back before the next one.
"""

import re

import pytest
from django.db import transaction

from tests.test_permission_matrix import (
    ROUTES,
    Route,
    database_state,
    describe_changes,
    world,  # noqa: F401 - a fixture
)

HOSTILE = {
    "superscript": "²",
    "huge_number": "9" * 5000,
    "nul": "甲\x00乙",
    "control": "甲\x07\x1b乙",
    "megabyte": "法" * 350_000,  # a little over 1 MB in UTF-8
}
# Query parameters pages of the portal read, and one that none reads.
QUERY_PARAMETERS = ("year", "county", "sort", "dir", "next", "q")
# Who reaches the most of a view's code, first that gets a 200 or a 302 with an effect.
PREFERENCE = ("admin", "reviewer_shenqiu", "clerk_lianchi", "anonymous")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def actor_for(route: Route, method: str) -> str | None:
    for role in PREFERENCE:
        expected = route.expect(role, method)
        if expected.status == 200 or expected.effect is not None:
            return role
    return None


def unique_routes(method: str) -> list[tuple[Route, str]]:
    """Each route name once (its first variant a role reaches): parameters are read by the view,
    whatever state its object is in."""
    cases, seen = [], set()
    for route in ROUTES:
        role = actor_for(route, method)
        if role is not None and (route.name, method) not in seen:
            seen.add((route.name, method))
            cases.append((route, role))
    return cases


def check(response, before, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.status_code >= 400:
        after = database_state()
        assert after == before, f"{where} changed the database:\n{describe_changes(before, after)}"
        if response.get("Content-Type", "").startswith("text/html") and response.content:
            assert CHINESE.search(response.content.decode()), f"{where}: no Chinese message"


def send_rolled_back(client, method: str, url: str, **kwargs):
    """One request inside a savepoint rolled back afterwards, so the next starts from the world."""
    with transaction.atomic():
        response = getattr(client, method)(url, **kwargs)
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "role"), unique_routes("GET"), ids=lambda v: getattr(v, "id", v))
def test_query_parameters(world, client, route, role):  # noqa: F811
    world.sign_in(client, role)
    url = route.url(world)
    before = database_state()
    for name in QUERY_PARAMETERS:
        for kind, value in HOSTILE.items():
            response = send_rolled_back(client, "get", url, data={name: value})
            check(response, before, f"GET {url}?{name}=<{kind}> as {role}")
        # Not UTF-8 at all: Django decodes it with replacement characters.
        response = send_rolled_back(client, "get", f"{url}?{name}=%ff%fe%00")
        check(response, before, f"GET {url}?{name}=%ff%fe%00 as {role}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "role"), unique_routes("POST"), ids=lambda v: getattr(v, "id", v)
)
def test_form_fields(world, client, route, role):  # noqa: F811
    world.sign_in(client, role)
    url = route.url(world)
    valid = route.data(world)
    fields = sorted(set(valid) | {"year", "county", "report", "body", "note", "target", "kind"})
    before = database_state()
    for name in fields:
        for kind, value in HOSTILE.items():
            data = {**valid, name: value}
            response = send_rolled_back(client, "post", url, data=data)
            check(response, before, f"POST {url} {name}=<{kind}> as {role}")
    # A form body that is not UTF-8.
    response = send_rolled_back(
        client,
        "post",
        url,
        data=b"body=%ff%fe&note=%c3%28",
        content_type="application/x-www-form-urlencoded",
    )
    check(response, before, f"POST {url} not UTF-8 as {role}")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/reports/²/",
        "/reports/99999999999999999999999/",
        "/reports/1/similar/99999999999999999999/",
        "/township/start/20231/",
        "/townships/1%00/scores/",
        "/exports/" + "9" * 5000 + "/",
    ],
)
def test_path_parameters(world, client, path):  # noqa: F811
    world.sign_in(client, "admin")
    before = database_state()
    response = client.get(path)
    assert response.status_code == 404, path
    check(response, before, path)
