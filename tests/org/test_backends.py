"""The signed-in user is read with their role and place in one query, and every check Django's
own backend makes on a session still holds."""

from django.contrib.auth import get_user
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from org.access import membership_of
from tests.factories import UserFactory


def request_of(client: Client) -> HttpRequest:
    """A request carrying the client's session, as AuthenticationMiddleware sees it."""
    request = HttpRequest()
    request.session = client.session
    assert request.session.keys()  # read now, not among the counted queries
    return request


def test_the_user_comes_with_membership_and_place_in_one_query(client, personas):
    client.force_login(personas.clerk_lianchi)
    request = request_of(client)
    with CaptureQueriesContext(connection) as captured:
        user = get_user(request)
        membership = membership_of(user)
        assert membership is not None
        place = f"{membership.township} {membership.township.county}"  # type: ignore[union-attr]
    assert place == "莲池镇 沈丘县"
    assert len(captured) == 1, [q["sql"] for q in captured]

    for persona, expected in (
        (personas.reviewer_shenqiu, "沈丘县"),
        (personas.admin, "None None None"),
    ):
        client.force_login(persona)
        request = request_of(client)
        with CaptureQueriesContext(connection) as captured:
            membership = membership_of(get_user(request))
            assert membership is not None
            if membership.county_id:
                named = str(membership.county)
            else:
                named = f"{membership.township} {membership.county} {membership.city}"
        assert named == expected
        assert len(captured) == 1


def test_a_user_without_membership_has_none(client, db):
    user = UserFactory(username="nobody")
    client.force_login(user)
    request = request_of(client)
    with CaptureQueriesContext(connection) as captured:
        assert membership_of(get_user(request)) is None
    assert len(captured) == 1


def test_an_inactive_user_and_a_changed_password_end_the_session(client, personas):
    user = personas.clerk_lianchi
    client.force_login(user)
    assert get_user(request_of(client)).is_authenticated
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not get_user(request_of(client)).is_authenticated

    user.is_active = True
    user.save(update_fields=["is_active"])
    client.force_login(user)
    assert get_user(request_of(client)).is_authenticated
    user.set_password("Another-pass-123")
    user.save(update_fields=["password"])
    assert not get_user(request_of(client)).is_authenticated
