"""The authentication backend: Django's ModelBackend, loading the signed-in user together with
their role and place.

Every page asks org.access for the user's Membership, and the navigation bar names its township,
county or city: read with the user, in one query, instead of three on every request. That query
runs on every request, so it is written out once per process and prepared once per database
connection (reportportal.db): composing it through the ORM's select_related cost more than the
rest of a cached page, and planning it more than running it. The objects are built as the ORM's
select_related builds them (Model.from_db, the relations' caches); tests compare the two.
"""

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.db import connections, models

from reportportal.db import execute_prepared

from .models import City, County, Membership, Township

# The membership and its place (a clerk's township with its county): what org.access and the
# navigation bar read. A user without a membership gets none cached, so access still finds none.
USER_WITH_PLACE = (
    "membership__township__county",
    "membership__county",
    "membership__city",
)

# (alias, model, joined on): the user, then each related row in the order of USER_WITH_PLACE.
_JOINS: tuple[tuple[str, type[models.Model], str], ...] = (
    ("m", Membership, '"m"."user_id" = {user}.id'),
    ("t", Township, '"t"."id" = "m"."township_id"'),
    ("tc", County, '"tc"."id" = "t"."county_id"'),
    ("c", County, '"c"."id" = "m"."county_id"'),
    ("ci", City, '"ci"."id" = "m"."city_id"'),
)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


@cache
def _statement(extra: tuple[tuple[str, str], ...]) -> str:
    quote = connections["default"].ops.quote_name
    user = quote(User._meta.db_table)
    columns = [f"{user}.{quote(f.column)}" for f in _fields(User)]
    joins = []
    for alias, model, on in _JOINS:
        columns += [f"{quote(alias)}.{quote(f.column)}" for f in _fields(model)]
        joins.append(f"LEFT JOIN {quote(model._meta.db_table)} {quote(alias)} ON {on}")
    columns += [f"({sql})" for _name, sql in extra]
    return (
        f"SELECT {', '.join(columns)} FROM {user} {' '.join(joins).format(user=user)}"
        f" WHERE {user}.{quote(User._meta.pk.column)} = %s"
    )


def _build(model: type[models.Model], values: tuple[Any, ...]) -> Any:
    """The instance for the columns of one joined row, or None where the LEFT JOIN found none."""
    if values[0] is None:  # the primary key, never null in a row that exists
        return None
    return model.from_db("default", [f.attname for f in _fields(model)], values)


def load_user_with_place(user_id: int, extra: Mapping[str, str]) -> User | None:
    """The user by id with their membership, its township (and county), county and city, and
    each `extra` column (attribute → SQL over the user's row), in one prepared statement."""
    named = tuple(extra.items())
    with connections["default"].cursor() as cursor:
        execute_prepared(cursor, _statement(named), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    start = 0
    built: dict[str, Any] = {}
    parts: list[tuple[str, type[models.Model]]] = [("u", User)]
    parts += [(alias, model) for alias, model, _on in _JOINS]
    for alias, model in parts:
        width = len(_fields(model))
        built[alias] = _build(model, row[start : start + width])
        start += width
    user, membership = built["u"], built["m"]
    if membership is not None:
        township = built["t"]
        if township is not None:
            township._state.fields_cache["county"] = built["tc"]
        membership._state.fields_cache.update(
            user=user, township=township, county=built["c"], city=built["ci"]
        )
    user._state.fields_cache["membership"] = membership
    for (name, _sql), value in zip(named, row[start:], strict=True):
        setattr(user, name, value)
    return user


class PortalBackend(ModelBackend):
    """ModelBackend (password check, inactive users refused) whose get_user — run on every
    request from the session — reads the membership and its place in the same query."""

    def extra_columns(self) -> Mapping[str, str]:
        """Further columns read with the user: attribute → SQL over the user's row."""
        return {}

    def get_user(self, user_id: int) -> User | None:
        user = load_user_with_place(user_id, self.extra_columns())
        return user if user is not None and self.user_can_authenticate(user) else None
