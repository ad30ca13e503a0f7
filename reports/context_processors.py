from functools import cache

from django.contrib.auth.models import User
from django.db import connections
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Notice

# The user's unread notices counted with the user (reportportal.auth), as the user's attribute.
UNREAD_AT_LOAD = "unread_notices_at_load"
SAFE_METHODS = ("GET", "HEAD")


def _where_unread(user: str) -> str:
    """The unread notices of ``user`` (a placeholder or a column), on index notice_unread."""
    quote = connections[Notice.objects.db].ops.quote_name
    table = quote(Notice._meta.db_table)
    return (
        f"SELECT COUNT(*) FROM {table} WHERE {table}.{quote(Notice._meta.get_field('user').column)}"
        f" = {user} AND {table}.{quote(Notice._meta.get_field('read_at').column)} IS NULL"
    )


@cache
def _unread_sql() -> str:
    """The count as the ORM would write it: composing the ORM query cost several times its run."""
    return _where_unread("%s")


@cache
def unread_subquery_sql() -> str:
    """The count for the user of the row, as a subquery of a query of users."""
    quote = connections[Notice.objects.db].ops.quote_name
    return _where_unread(f"{quote(User._meta.db_table)}.{quote(User._meta.pk.column)}")


def unread_notices(user_id: int) -> int:
    with connections[Notice.objects.db].cursor() as cursor:
        cursor.execute(_unread_sql(), [user_id])
        row = cursor.fetchone()
    return int(row[0])


def notices(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's unread notices. On a page read with GET the count made with the user
    at the start of the request (nothing in it reads or sends a notice); otherwise, counted when
    the page shows the number (after what the request did)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notices": 0}
    if request.method in SAFE_METHODS:
        counted = getattr(user, UNREAD_AT_LOAD, None)
        if counted is not None:
            return {"unread_notices": counted}
    return {"unread_notices": SimpleLazyObject(lambda: unread_notices(user.pk))}
