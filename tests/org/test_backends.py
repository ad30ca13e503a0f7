"""The signed-in user is read with their role and place in one query, and every check Django's
own backend makes on a session still holds."""

from django.contrib.auth import get_user
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from org.access import membership_of
from org.backends import USER_WITH_PLACE, load_user_with_place
from org.models import City, Membership
from org.services import membership_assign
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


def fields_of(instance) -> dict | None:
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_written_out_query_builds_what_select_related_builds(personas, db):
    """org.backends writes the user query out once; its objects are the ORM's, field for field."""
    city = City.objects.create(province="河南省", name="周口市")
    city_reviewer = UserFactory(username="zhoukou")
    membership_assign(user=city_reviewer, role=Membership.Role.CITY_REVIEWER, city=city)
    for user in (
        personas.clerk_lianchi,
        personas.reviewer_shenqiu,
        personas.admin,
        city_reviewer,
        UserFactory(username="nobody"),
    ):
        ours = load_user_with_place(user.pk, {})
        orm = User.objects.select_related(*USER_WITH_PLACE).get(pk=user.pk)
        assert fields_of(ours) == fields_of(orm)
        with CaptureQueriesContext(connection) as captured:
            mine = getattr(ours, "membership", None)
            theirs = getattr(orm, "membership", None)
            assert fields_of(mine) == fields_of(theirs)
            if theirs is not None:
                for name in ("township", "county", "city"):
                    assert fields_of(getattr(mine, name)) == fields_of(getattr(theirs, name))
                if theirs.township is not None:
                    assert fields_of(mine.township.county) == fields_of(theirs.township.county)
                assert mine.user is ours
        assert len(captured) == 0  # everything was read with the user
    assert load_user_with_place(10**9, {}) is None
