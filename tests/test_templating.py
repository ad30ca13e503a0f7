"""Templates render without per-value localisation (reportportal.templating) and print every kind
of value the pages show exactly as Django's localised rendering did; request.user is the user
itself, not a lazy stand-in (reportportal.middleware.ResolvedUserMiddleware)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.template import Context, Engine, engines
from django.urls import reverse
from django.utils import formats, timezone

from reportportal.middleware import _urlencoded_is_utf8

TEMPLATE = "{% for value in values %}[{{ value }}]{% endfor %}"
VALUES = [
    0,
    7,
    -3,
    20231205,
    2**40,
    Decimal("85.50"),
    Decimal("0.00"),
    Decimal("-2.5"),
    Decimal("100"),
    0.85,
    12.5,
    -0.125,
    True,
    None,
    "文本 <b>",
    datetime.date(2026, 12, 5),
    datetime.datetime(2026, 12, 5, 1, 30, tzinfo=datetime.UTC),
    timezone.make_aware(datetime.datetime(2026, 2, 3, 23, 59)),
    datetime.time(9, 5),
]


def test_each_kind_of_value_prints_as_djangos_localised_rendering():
    localised = Engine().from_string(TEMPLATE).render(Context({"values": VALUES}))
    ours = engines["django"].from_string(TEMPLATE).render({"values": VALUES})
    assert ours == localised
    # The formats are zh-hans's: the date, and the datetime in Asia/Shanghai.
    assert "[2026年12月5日]" in ours and "[2026年12月5日 09:30]" in ours


def test_a_page_formats_no_number_through_the_locale(client, personas, monkeypatch):
    calls = []
    original = formats.number_format

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(formats, "number_format", counting)
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("ranking"), {"year": personas.period.year})
    assert page.status_code == 200
    assert str(personas.period.year) in page.content.decode()
    assert calls == []


def test_the_request_carries_the_user_itself(client, personas):
    client.force_login(personas.clerk_lianchi)
    response = client.get(reverse("township_home"))
    user = response.wsgi_request.user
    assert type(user) is User and user == personas.clerk_lianchi
    # django-otp's verification is still there (a clerk signs in with a password only).
    assert user.is_verified() is False
    client.logout()
    response = client.get(reverse("login"))
    assert type(response.wsgi_request.user) is AnonymousUser


def _pieces_are_utf8(body: bytes) -> bool:
    """The check as it was: each name and value decoded on its own."""
    from urllib.parse import unquote_to_bytes

    try:
        for pair in body.split(b"&"):
            for piece in pair.split(b"=", 1):
                unquote_to_bytes(piece.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"a=1&b=%E9%97%AE%E9%A2%98",
        "a=问题&b=+x+".encode(),
        b"a=%E9%97&b=%AE",  # a character cut by the separator
        b"a%E9=%97%AE",
        b"a=%ff",
        b"a=%&b=%2",
        b"a=%E9%97%26%AE",  # an escaped & inside the character
        b"%C3=%A9",
        b"a=%c3%a9&&=&b",
    ],
)
def test_the_utf8_check_on_the_whole_body_agrees_with_the_check_per_piece(body):
    assert _urlencoded_is_utf8(body) == _pieces_are_utf8(body)
