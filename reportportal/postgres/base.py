"""PostgreSQL through psycopg2, with the statements a connection runs again prepared on it.

Planning costs PostgreSQL more than running most of the portal's queries: under load, about two
thirds of its time on the ORM's statements went to planning (a report read with its township,
county and period: 0.45 ms to plan, 0.06 ms to run). psycopg 3 prepares a statement it has seen
`prepare_threshold` times; psycopg2, the driver this project uses, never does. This backend does
the same for it: the second time a connection runs the same SELECT, INSERT, UPDATE or DELETE
text, it is prepared (PREPARE), and from then on sent as EXECUTE with the same values. PostgreSQL
parses it once and, after its own first executions, keeps a generic plan when that plan is as good.

A statement is only prepared when PostgreSQL reads each parameter as the type the value already
has (an integer where an integer goes, a string anywhere a quoted literal could go); otherwise it
is released and that text is always sent as it is. A NULL says nothing of its type (a NULL of the
type PostgreSQL gave its place is what the literal would have been): a place that held one when
the statement was prepared is checked again on each run, and a run whose value there does not fit
is sent as it is. So a query answers exactly what it would unprepared. What was prepared belongs to one connection: a new one (CONN_MAX_AGE, a lost
connection) starts again. PgBouncer in transaction mode cannot be put in front of it (a prepared
statement would be missing on the next server connection); session mode can.
"""

import datetime
import decimal
import hashlib
import re
import uuid
from typing import Any

import psycopg2
from django.db.backends.postgresql import base, operations
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INERROR
from psycopg2.extras import Json

PREFIX = "portal_auto_"
# Seen this many times on a connection before it is prepared: a statement run once is not worth a
# PREPARE and a check of its parameters.
THRESHOLD = 2
# Bounds on what one connection remembers: texts counted, statements prepared. Past either, it
# forgets them all (and deallocates its own) and counts again.
MAX_COUNTED = 4000
MAX_PREPARED = 400

_PREPARABLE = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
_MARK = re.compile(r"%(%|s)")

_INTEGERS = {"smallint", "integer", "bigint"}
_NUMBERS = _INTEGERS | {"numeric", "real", "double precision"}
_FRACTIONS = {"numeric", "real", "double precision"}
_MOMENTS = {
    datetime.datetime: {"timestamp with time zone", "timestamp without time zone"},
    datetime.date: {"date"},
    datetime.time: {"time without time zone", "time with time zone"},
    datetime.timedelta: {"interval"},
}


def fits(value: object, pg_type: str) -> bool:
    """Whether PostgreSQL reading `value` as `pg_type` means what the value written out in the
    statement would have meant."""
    if value is None:
        return False  # nothing to learn the intended type from (statement_for checks later runs)
    if isinstance(value, str):
        return True  # a quoted literal takes the type its place asks for, prepared or not
    if isinstance(value, bool):
        return pg_type == "boolean"
    if isinstance(value, int):
        return pg_type in _NUMBERS
    if isinstance(value, float | decimal.Decimal):
        return pg_type in _FRACTIONS
    if isinstance(value, datetime.datetime):  # before date: a datetime is a date
        return pg_type in _MOMENTS[datetime.datetime]
    for kind, names in _MOMENTS.items():
        if isinstance(value, kind):
            return pg_type in names
    if isinstance(value, list | tuple):
        return pg_type.endswith("[]")
    if isinstance(value, Json):
        return pg_type in {"json", "jsonb"}
    if isinstance(value, bytes | bytearray | memoryview):
        return pg_type == "bytea"
    if isinstance(value, uuid.UUID):
        return pg_type == "uuid"
    return False


class _Prepared:
    """One connection's prepared statements and how often each text was run."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.counts: dict[str, int] = {}
        self.names: dict[str, str | None] = {}  # text → statement name, or None: never
        # text → (place, type) of the parameters that were NULL when it was prepared
        self.unchecked: dict[str, tuple[tuple[int, str], ...]] = {}

    def forget(self, raw_cursor: Any) -> None:
        # Only its own: reportportal.db.execute_prepared keeps its statements on this connection.
        for name in filter(None, self.names.values()):
            raw_cursor.execute(f"DEALLOCATE {name}")
        self.counts.clear()
        self.names.clear()
        self.unchecked.clear()


def _state(db: Any) -> _Prepared:
    held = getattr(db, "_auto_prepared", None)
    if held is None or held.connection is not db.connection:
        held = db._auto_prepared = _Prepared(db.connection)
    return held


def statement_for(db: Any, raw_cursor: Any, sql: str, params: Any) -> str | None:
    """The EXECUTE to send instead of `sql`, once it is prepared; None to send `sql` itself."""
    if not isinstance(params, list | tuple) or getattr(raw_cursor, "name", None):
        return None  # named parameters, or a server-side cursor (DECLARE … CURSOR FOR …)
    if (
        db.needs_rollback
        or raw_cursor.connection.get_transaction_status() == TRANSACTION_STATUS_INERROR
    ):
        return None  # a failed transaction: the statement itself meets the error, as it would
    state = _state(db)
    name = state.names.get(sql, "")
    if name == "":
        count = state.counts.get(sql, 0) + 1
        if count < THRESHOLD:
            if len(state.counts) >= MAX_COUNTED:
                state.forget(raw_cursor)
            state.counts[sql] = count
            return None
        name = _prepare(state, raw_cursor, sql, params)
    if name is None:
        return None
    unchecked = state.unchecked.get(sql)
    if unchecked and not all(
        params[at] is None or fits(params[at], kind) for at, kind in unchecked
    ):
        return None  # a value where only NULLs were seen, of another type: sent as it is
    return f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"


def _prepare(state: _Prepared, raw_cursor: Any, sql: str, params: Any) -> str | None:
    if not _PREPARABLE.match(sql) or ";" in sql:
        state.names[sql] = None
        return None
    if sum(1 for name in state.names.values() if name) >= MAX_PREPARED:
        state.forget(raw_cursor)
    name = PREFIX + hashlib.sha256(sql.encode()).hexdigest()[:20]
    numbered = iter(range(1, len(params) + 1))
    body = _MARK.sub(lambda m: "%" if m.group(1) == "%" else f"${next(numbered)}", sql)
    # Inside a transaction a failed PREPARE would abort it: try it behind a savepoint. (PREPARE
    # itself is not transactional: a rollback later leaves the statement prepared.)
    guarded = raw_cursor.connection.get_transaction_status() != TRANSACTION_STATUS_IDLE
    try:
        if guarded:
            raw_cursor.execute("SAVEPOINT portal_auto_prepare")
        raw_cursor.execute(f"PREPARE {name} AS {body}")
        raw_cursor.execute(
            "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = %s", [name]
        )
        types = raw_cursor.fetchone()[0]
        if guarded:
            raw_cursor.execute("RELEASE SAVEPOINT portal_auto_prepare")
    except psycopg2.Error:
        if guarded:
            raw_cursor.execute("ROLLBACK TO SAVEPOINT portal_auto_prepare")
            raw_cursor.execute("RELEASE SAVEPOINT portal_auto_prepare")
        state.names[sql] = None
        return None
    if len(types) != len(params) or not all(
        value is None or fits(value, kind) for value, kind in zip(params, types, strict=True)
    ):
        raw_cursor.execute(f"DEALLOCATE {name}")
        state.names[sql] = None
        return None
    state.counts.pop(sql, None)
    state.names[sql] = name
    nulls = tuple(
        (at, kind)
        for at, (value, kind) in enumerate(zip(params, types, strict=True))
        if value is None
    )
    if nulls:
        state.unchecked[sql] = nulls
    return name


class _Preparing:
    def _execute(self, sql: str, params: Any, *ignored_wrapper_args: Any) -> Any:
        if params is not None:
            with self.db.wrap_database_errors:  # type: ignore[attr-defined]
                statement = statement_for(self.db, self.cursor, sql, params)  # type: ignore[attr-defined]
            if statement is not None:
                sql = statement
        return super()._execute(sql, params, *ignored_wrapper_args)  # type: ignore[misc]


class PreparingCursorWrapper(_Preparing, CursorWrapper):
    pass


class PreparingCursorDebugWrapper(_Preparing, CursorDebugWrapper):
    pass


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str:
        # What the page asked for, with its values, as if it had been sent as it is: query logs
        # and tests read the statement, not "EXECUTE portal_auto_…(…)".
        sent = getattr(cursor, "query", None)
        if sent and sent.startswith(f"EXECUTE {PREFIX}".encode()):
            return cursor.mogrify(sql, params).decode()
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def make_cursor(self, cursor: Any) -> CursorWrapper:
        return PreparingCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: Any) -> CursorDebugWrapper:
        return PreparingCursorDebugWrapper(cursor, self)
