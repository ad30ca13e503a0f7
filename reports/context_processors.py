from functools import cache

from django.db import connections
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Notice


@cache
def _unread_sql() -> str:
    """The count of a user's unread notices (index notice_unread), as the ORM would write it:
    the navigation bar asks on every page, and composing the query cost several times its run."""
    table = Notice._meta.db_table
    user = Notice._meta.get_field("user").column
    read_at = Notice._meta.get_field("read_at").column
    quote = connections[Notice.objects.db].ops.quote_name
    return (
        f"SELECT COUNT(*) FROM {quote(table)} WHERE {quote(user)} = %s AND {quote(read_at)} IS NULL"
    )


def unread_notices(user_id: int) -> int:
    with connections[Notice.objects.db].cursor() as cursor:
        cursor.execute(_unread_sql(), [user_id])
        row = cursor.fetchone()
    return int(row[0])


def notices(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's unread notices, counted only when a page shows the number."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notices": 0}
    return {"unread_notices": SimpleLazyObject(lambda: unread_notices(user.pk))}
