"""The templates' `date` filter, as Django's, with the formats the pages use made quickly.

A template builtin (settings.TEMPLATES), so it replaces Django's filter of the same name in every
template: timelines, queues and dashboards print a date on each row, and Django's filter takes
about 20 µs a date (it looks the format up among the settings' format names, then splits it and
calls a method per character). A format made only of Y, m, d, n, j, H, i and s (and characters
that are no format code, such as 年, 月, -, :) is compiled once into the pieces of one string;
anything else, and every value that is not a date or time, goes to Django's filter unchanged.
"""

import datetime
import re
from functools import lru_cache

from django import template
from django.template.defaultfilters import date as django_date

register = template.Library()

# Django's format characters (django.utils.dateformat.re_formatchars) and an escape.
_FORMAT_CHARS = re.compile(r"[aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ\\]")
_DATE_CODES = {
    "Y": lambda v: f"{v.year:04d}",
    "m": lambda v: f"{v.month:02d}",
    "d": lambda v: f"{v.day:02d}",
    "n": lambda v: str(v.month),
    "j": lambda v: str(v.day),
}
_TIME_CODES = {
    "H": lambda v: f"{v.hour:02d}",
    "i": lambda v: f"{v.minute:02d}",
    "s": lambda v: f"{v.second:02d}",
}
_CODES = _DATE_CODES | _TIME_CODES


@lru_cache(maxsize=64)
def _compiled(arg: str) -> tuple[list[object], bool] | None:
    """(pieces: literal strings and code functions, whether a time code is among them), or None
    when the format needs Django's own formatting."""
    pieces: list[object] = []
    has_time = False
    for char in arg:
        if _FORMAT_CHARS.fullmatch(char):
            if char not in _CODES:
                return None
            pieces.append(_CODES[char])
            has_time = has_time or char in _TIME_CODES
        else:
            pieces.append(char)
    return pieces, has_time


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's `date` filter (django.template.defaultfilters.date), quicker on the pages'
    formats."""
    if arg and isinstance(value, datetime.date):
        compiled = _compiled(arg)
        if compiled is not None:
            pieces, has_time = compiled
            if not has_time or isinstance(value, datetime.datetime):
                return "".join(p if isinstance(p, str) else p(value) for p in pieces)  # type: ignore[operator]
    return django_date(value, arg)
