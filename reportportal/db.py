"""Hot fixed statements: planned once per connection by PostgreSQL, compiled once by the ORM.

The signed-in user with their place (org.backends) and the page stamps (reports.selectors.stamps)
run on nearly every request; planning such a statement of many joins or subqueries costs
PostgreSQL more than running it (about 0.5 ms against 0.3). Prepared once per connection, each
run only executes the stored plan.
"""

import functools
import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from simple_history.manager import HistoryManager

M = TypeVar("M", bound=Model)

_PLACEHOLDER = re.compile(r"%s")


def prepared_name(sql: str) -> str:
    """The name execute_prepared gives the statement (what query logs show it as)."""
    return "portal_" + hashlib.sha256(sql.encode()).hexdigest()[:16]


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
    name = prepared_name(sql)
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


class FixedQuery(Generic[M]):
    """A queryset of one shape, compiled once per thread and run again with other values.

    Composing and compiling a queryset costs the ORM more than PostgreSQL takes to answer the
    small queries of a page (a report read with its township, county and period: about 1 ms of
    Python against 0.1 ms). `build(*ids)` makes the queryset from integer ids; it is built once
    with stand-ins for them, compiled, and from then on its SQL is sent with the ids put in their
    places, its rows made into instances as the ORM makes them (related objects, deferred
    fields). A shape whose SQL does not carry each id as one parameter is refused at once.
    """

    _STAND_IN = -7_300_000_000

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        self._local = threading.local()

    def _compiled(self, count: int) -> "_Compiled":
        compiled: _Compiled | None = getattr(self._local, "compiled", None)
        if compiled is None:
            stand_ins = [self._STAND_IN - i for i in range(count)]
            queryset = self.build(*stand_ins)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            places = [stand_ins.index(p) if p in stand_ins else None for p in params]
            if sorted(p for p in places if p is not None) != list(range(count)):
                raise ValueError("each id must be one parameter of the compiled statement")
            select, klass_info = compiler.select, compiler.klass_info
            assert klass_info is not None  # a queryset of model instances
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            compiled = self._local.compiled = _Compiled(
                db=queryset.db,
                sql=sql,
                params=list(params),
                places=places,
                model=klass_info["model"],
                start=start,
                end=end,
                init_list=[f[0].target.attname for f in select[start:end]],
                populators=get_related_populators(klass_info, select, queryset.db),
                compiler=compiler,
                converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
                width=compiler.col_count if compiler.has_extra_select else None,
                for_update=queryset.query.select_for_update,
                annotations=dict(compiler.annotation_col_map or {}),
            )
        return compiled

    def __call__(self, *ids: int) -> list[M]:
        if not all(type(i) is int for i in ids):
            raise TypeError("FixedQuery takes integer ids")
        c = self._compiled(len(ids))
        if c.for_update and not connections[c.db].in_atomic_block:
            raise TransactionManagementError(
                "select_for_update cannot be used outside a transaction."
            )
        params = [p if at is None else ids[at] for p, at in zip(c.params, c.places, strict=True)]
        with connections[c.db].cursor() as cursor:
            cursor.execute(c.sql, params)
            rows: Iterable[Any] = cursor.fetchall()
        if c.width is not None:
            rows = [row[: c.width] for row in rows]
        if c.converters:
            rows = c.compiler.apply_converters(rows, c.converters)
        found = []
        for row in rows:
            obj = c.model.from_db(c.db, c.init_list, row[c.start : c.end])
            for populator in c.populators:
                populator.populate(row, obj)
            for name, at in c.annotations.items():
                setattr(obj, name, row[at])
            found.append(obj)
        return found


@dataclass
class _Compiled:
    db: str
    sql: str
    params: list[Any]
    places: list[int | None]
    model: Any
    start: int
    end: int
    init_list: list[str]
    populators: list[Any]
    compiler: Any
    converters: dict[int, Any]
    width: int | None  # the columns to keep, when the statement selects more for its ordering
    for_update: bool
    annotations: dict[str, int]  # annotate()'s names and their columns


class HistoryManagerOnce(HistoryManager):
    """django-simple-history's manager, its class made once. The library's descriptor builds
    `manager.from_queryset(queryset)` on every access of `Model.history`, which the library
    itself does on each save (the historical row) and each bulk write with history: Django makes
    a new class then, copying the queryset's methods (about 0.3 ms each time)."""

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


@functools.cache
def _choice_labels(field: Any) -> dict[Any, Any]:
    return dict(make_hashable(field.flatchoices))


class QuickChoiceLabels:
    """get_<field>_display() as Django's (Model._get_FIELD_display), with each field's labels
    gathered once: Django gathers them again on every call (about 10 µs), and lists print a
    status or a kind on every row. For models whose choices are fixed (TextChoices)."""

    def _get_FIELD_display(self, field: Any) -> Any:
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)
