"""reportportal.postgres: the statements a connection runs again are prepared on it, and answer
exactly what they would have answered sent as they are."""

import datetime
import decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Value, When
from django.test.utils import CaptureQueriesContext
from psycopg2.extras import Json

from reportportal.db import execute_prepared
from reportportal.postgres import base as auto

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)

User = get_user_model()


def prepared() -> dict[str, str]:
    """name → "PREPARE name AS statement" of this connection's automatically prepared ones."""
    with connection.cursor() as cursor:
        cursor.cursor.execute(
            "SELECT name, statement FROM pg_prepared_statements WHERE name LIKE %s",
            [auto.PREFIX + "%"],
        )
        return dict(cursor.cursor.fetchall())


def run(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.django_db
def test_an_orm_query_run_again_is_prepared_and_answers_the_same():
    assert connection.settings_dict["ENGINE"] == "reportportal.postgres"
    User.objects.create(username="wang", first_name="王")
    User.objects.create(username="li", first_name="李")

    def names(first: str) -> list[str]:
        return list(User.objects.filter(first_name=first).values_list("username", flat=True))

    assert names("王") == ["wang"]
    assert not any('"first_name" = $1' in s for s in prepared().values())
    with CaptureQueriesContext(connection) as queries:
        assert names("李") == ["li"]  # the second run: prepared now, other values
        assert names("王") == ["wang"]
    assert any('"first_name" = $1' in s for s in prepared().values())
    # The log shows what was asked, with its values, not the EXECUTE that carried it.
    sent = [q["sql"] for q in queries.captured_queries]
    assert len(sent) == 2
    assert all(s.startswith('SELECT "auth_user"."username"') for s in sent)
    assert "'李'" in sent[0] and "'王'" in sent[1]


@pytest.mark.django_db
def test_a_value_postgresql_would_read_as_another_type_is_sent_as_it_is():
    # Prepared, "SELECT $1" reads its parameter as text: 5 would come back as '5'.
    assert run("SELECT %s", [5]) == [(5,)]
    assert run("SELECT %s", [5]) == [(5,)]
    assert run("SELECT %s", [7]) == [(7,)]
    assert not any(s.endswith(" AS SELECT $1") for s in prepared().values())
    # A string in the same place means the same prepared or not.
    assert run("SELECT %s AS word", ["词"]) == [("词",)]
    assert run("SELECT %s AS word", ["句"]) == [("句",)]
    assert any(s.endswith(" AS SELECT $1 AS word") for s in prepared().values())


@pytest.mark.django_db
def test_a_case_of_numbers_orders_as_numbers():
    for name in ("a", "b", "c"):
        User.objects.create(username=name)
    order = Case(
        When(username="a", then=Value(10)),
        When(username="b", then=Value(9)),
        default=Value(100),
        output_field=IntegerField(),
    )
    for _ in range(3):
        rows = list(
            User.objects.annotate(rank=order).order_by("rank").values_list("username", "rank")
        )
        assert rows == [("b", 9), ("a", 10), ("c", 100)]


@pytest.mark.django_db
def test_a_statement_postgresql_cannot_prepare_leaves_the_transaction_usable():
    with transaction.atomic():
        for _ in range(3):
            assert run("SELECT %s IS NULL", [None]) == [(True,)]
        User.objects.create(username="after")  # the transaction was not aborted
    assert User.objects.filter(username="after").exists()
    assert not any(s.endswith(" AS SELECT $1 IS NULL") for s in prepared().values())


@pytest.mark.django_db
def test_a_statement_with_nulls_is_prepared_and_checks_what_comes_later_in_their_place():
    # A NULL says nothing of its type: the place (here an integer) is checked on later runs.
    assert run("SELECT COALESCE(%s, 0) + 1 AS n", [None]) == [(1,)]
    assert run("SELECT COALESCE(%s, 0) + 1 AS n", [None]) == [(1,)]
    assert any(s.endswith(" AS SELECT COALESCE($1, 0) + 1 AS n") for s in prepared().values())
    assert run("SELECT COALESCE(%s, 0) + 1 AS n", [4]) == [(5,)]
    # 2.5 does not fit the integer PostgreSQL gave the place: sent as it is, it means 2.5
    # (prepared, PostgreSQL would refuse it as an integer).
    assert run("SELECT COALESCE(%s, 0) + 1 AS n", [2.5]) == [(decimal.Decimal("3.5"),)]
    # A row written with NULLs (the history rows of every save have some) is prepared too.
    for name in ("zhao", "qian", "sun"):
        User.objects.create(username=name)  # last_login is NULL
    assert any('INSERT INTO "auth_user"' in s for s in prepared().values())
    assert set(User.objects.values_list("last_login", flat=True)) == {None}


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    for _ in range(2):
        assert run("SELECT count(*) FROM auth_user WHERE id > %s", [0]) == [(0,)]
    assert prepared()
    connection.close()
    assert prepared() == {}
    for _ in range(3):
        assert run("SELECT count(*) FROM auth_user WHERE id > %s", [0]) == [(0,)]
    assert len(prepared()) == 1


@pytest.mark.django_db
def test_what_one_connection_keeps_is_bounded(monkeypatch):
    monkeypatch.setattr(auto, "MAX_PREPARED", 3)
    with connection.cursor() as cursor:
        execute_prepared(cursor, "SELECT %s::int * 2", [21])
    for n in range(8):
        for _ in range(2):
            assert run(f"SELECT %s::int + {n}", [1]) == [(1 + n,)]
        assert len(prepared()) <= 3
    # The statements prepared by name (reportportal.db) are not the backend's to forget.
    with connection.cursor() as cursor:
        execute_prepared(cursor, "SELECT %s::int * 2", [4])
        assert cursor.fetchone() == (8,)


def test_fits_only_where_the_value_means_the_same():
    assert auto.fits("x", "integer") and auto.fits("x", "text")
    assert auto.fits(3, "bigint") and auto.fits(3, "numeric")
    assert not auto.fits(3, "text")
    assert not auto.fits(2.5, "integer") and auto.fits(2.5, "double precision")
    assert not auto.fits(decimal.Decimal("1.5"), "integer")
    assert auto.fits(True, "boolean") and not auto.fits(True, "integer")
    assert auto.fits(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), "timestamp with time zone")
    assert not auto.fits(datetime.datetime(2026, 1, 1), "date")
    assert auto.fits(datetime.date(2026, 1, 1), "date")
    assert auto.fits([1, 2], "integer[]") and not auto.fits([1, 2], "integer")
    assert auto.fits(Json({}), "jsonb") and not auto.fits(Json({}), "text")
    assert not auto.fits(None, "integer")
