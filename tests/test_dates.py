"""reportportal.dates: the templates' `date` filter gives exactly what Django's gives."""

import datetime
import random
import zoneinfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation

from reportportal import dates

FORMATS = [
    "Y-m-d H:i",
    "Y年n月j日",
    "n月j日 H:i",
    "Y-m-d H:i:s",
    "n月j日",
    "Y年n月j日 H:i",
    "r",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "Y-m-d\\TH:i",
    "j F Y",
    "D, d M Y",
    "Ymd",
    "",
]


def _values(rng: random.Random):
    for _ in range(300):
        naive = datetime.datetime(
            rng.randint(1, 9999),
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.randint(0, 59),
            rng.randint(0, 59),
        )
        yield naive
        yield naive.date()
        yield naive.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    yield from (None, "", "2024-01-01", 0, datetime.time(8, 5))


def _outcome(function, *args):
    try:
        return function(*args)
    except Exception as exc:  # the same refusal counts as the same answer
        return type(exc), str(exc)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_same_text_as_djangos_filter_for_every_format_and_value(language):
    rng = random.Random(2024)
    with translation.override(language):
        for value in _values(rng):
            for fmt in FORMATS:
                assert _outcome(dates.date, value, fmt) == _outcome(django_date, value, fmt), (
                    value,
                    fmt,
                )
            assert _outcome(dates.date, value) == _outcome(django_date, value)


def test_templates_use_it_with_the_local_time_of_the_page():
    template = Template(
        '{{ at|date:"Y-m-d H:i" }}|{{ at|date:"Y年n月j日" }}|{{ day|date:"n月j日" }}'
    )
    assert template.nodelist[0].filter_expression.filters[0][0] is dates.date
    at = datetime.datetime(2024, 12, 31, 17, 5, tzinfo=datetime.UTC)  # 1 a.m. in Shanghai
    with timezone.override("Asia/Shanghai"):
        text = template.render(Context({"at": at, "day": datetime.date(2025, 3, 9)}))
    assert text == "2025-01-01 01:05|2025年1月1日|3月9日"
