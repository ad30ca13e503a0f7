"""reportportal.db.execute_prepared: a hot fixed statement planned once per connection."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reportportal.db import execute_prepared

SQL = "SELECT %s::int + %s::int, (SELECT count(*) FROM auth_user WHERE id > %s)"


def run(params):
    with connection.cursor() as cursor:
        execute_prepared(cursor, SQL, params)
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_the_same_answers_as_the_statement_itself_across_connections():
    with connection.cursor() as cursor:
        cursor.execute(SQL, [1, 2, 0])
        expected = cursor.fetchone()
    assert run([1, 2, 0]) == expected
    with CaptureQueriesContext(connection) as queries:
        assert run([40, 2, 0]) == (42, expected[1])  # the stored plan, other values
    assert [q["sql"].split("(")[0] for q in queries.captured_queries] == [
        queries.captured_queries[0]["sql"].split("(")[0]
    ]
    assert queries.captured_queries[0]["sql"].startswith("EXECUTE portal_")
    connection.close()  # a new connection knows no prepared statement: it is prepared again
    assert run([2, 2, 0]) == (4, expected[1])
