"""Hot fixed statements that PostgreSQL plans once per connection.

The signed-in user with their place (org.backends) and the page stamps (reports.selectors.stamps)
run on nearly every request; planning such a statement of many joins or subqueries costs
PostgreSQL more than running it (about 0.5 ms against 0.3). Prepared once per connection, each
run only executes the stored plan.
"""

import hashlib
import re
from collections.abc import Sequence
from typing import Any

_PLACEHOLDER = re.compile(r"%s")


def execute_prepared(cursor: Any, sql: str, params: Sequence[object]) -> None:
    """`cursor.execute(sql, params)` through a statement prepared on this connection (on
    PostgreSQL; elsewhere as is). `sql` must be a fixed text whose only `%` are its `%s`."""
    db = cursor.db
    if db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    # What was prepared belongs to the connection object it was prepared on; holding that object
    # here means a new connection (after CONN_MAX_AGE, or a lost one) is never mistaken for it.
    held = getattr(db, "_prepared_on", None)
    if held is None or held[0] is not db.connection:
        held = (db.connection, set[str]())
        db._prepared_on = held
    name = "portal_" + hashlib.sha256(sql.encode()).hexdigest()[:16]
    if name not in held[1]:
        numbered = iter(range(1, len(params) + 1))
        body = _PLACEHOLDER.sub(lambda _match: f"${next(numbered)}", sql)
        # On the driver's own cursor: a setup statement, not one of the page's queries.
        cursor.cursor.execute(f"PREPARE {name} AS {body}")
        held[1].add(name)
    arguments = ", ".join(["%s"] * len(params))
    cursor.execute(f"EXECUTE {name}({arguments})" if params else f"EXECUTE {name}", params)


def row_version(alias: str) -> str:
    """SQL for the version of a row: the transaction that wrote it (xmin) and where (ctid). Every
    UPDATE writes a new row version: a new xmin in a new transaction, a new place within the
    same one (a test, or a request that writes twice), so the pair changes with every write.
    PostgreSQL only."""
    return f"({alias}.xmin::text || {alias}.ctid::text)"
