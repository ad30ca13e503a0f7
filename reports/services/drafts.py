"""The clerk's work on a draft: starting it, saving text and figures, importing a document."""

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from simple_history.utils import bulk_create_with_history

from indicators.models import DataElement
from indicators.selectors import active_data_elements
from org.access import Right, rights_at
from org.models import Period, Township
from reading.completeness import missing_parts
from reading.normalise import normalise_text
from reading.sections import SECTION_KEYS, SECTIONS_BY_KEY
from reportportal.db import FixedQuery, execute_prepared

from ..models import Report, ReportValue
from ..validators import part_problem
from ..workflow import EDITABLE_STATUSES
from .common import ReportError, VersionConflict, lock_report, require_right
from .scoring import report_score_compute


def _require_clerk_can_write(*, report: Report, actor: User) -> None:
    require_right(actor, report, Right.WRITE, "只有本乡镇的填报员可以修改该报告。")
    if report.period.locked:
        raise ReportError(f"{report.period}已被管理员锁定，不能再修改或报送。")
    if report.status not in EDITABLE_STATUSES:
        raise ReportError(f"报告当前状态为“{report.get_status_display()}”，不能修改。")


@transaction.atomic
def report_start(*, township: Township, period: Period, actor: User) -> Report:
    """This township's report for the period, created empty if it does not exist yet."""
    if Right.WRITE not in rights_at(actor, township_id=township.pk, county_id=township.county_id):
        raise PermissionDenied("只有本乡镇的填报员可以开始填报。")
    existing = Report.objects.filter(township=township, period=period).first()
    if existing:
        return existing
    if period.locked:
        raise ReportError(f"{period}已被管理员锁定，不能再开始填报。")
    try:
        # A savepoint, so that a double click creating the same report twice loses quietly.
        with transaction.atomic():
            report = Report(township=township, period=period, updated_by=actor)
            report._history_user = actor  # type: ignore[attr-defined]
            report.save()
    except IntegrityError:
        report = Report.objects.get(township=township, period=period)
    return report


def save_locked_draft(
    *,
    locked: Report,
    actor: User,
    base_version: int,
    parts: Mapping[str, str],
    figures: Mapping[str, int | None],
) -> Report:
    """report_save_draft's work on a report already locked by the caller's transaction; it
    leaves scoring to the caller (which may move the report on before scoring it once)."""
    _require_clerk_can_write(report=locked, actor=actor)
    if locked.version != base_version:
        raise VersionConflict(locked)
    changed = ["version", "updated_by", "updated_at"]
    for key in SECTION_KEYS:
        if key in parts:
            text = normalise_text(parts[key])
            problem = part_problem(text)
            if problem:
                raise ReportError(f"“{SECTIONS_BY_KEY[key].heading}”{problem}")
            if getattr(locked, key) != text:
                setattr(locked, key, text)
                changed.append(key)
    if any(key in changed for key in SECTION_KEYS):
        locked.missing_parts = missing_parts(locked.parts())
        changed.append("missing_parts")
    _store_figures(report=locked, actor=actor, figures=figures)
    locked.version += 1
    locked.updated_by = actor
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save(update_fields=changed)
    return locked


@transaction.atomic
def report_save_draft(
    *,
    report: Report,
    actor: User,
    base_version: int,
    parts: Mapping[str, str],
    figures: Mapping[str, int | None],
) -> Report:
    """Stores the clerk's text and figures, unless someone saved a newer version meanwhile."""
    locked = save_locked_draft(
        locked=lock_report(report),
        actor=actor,
        base_version=base_version,
        parts=parts,
        figures=figures,
    )
    report_score_compute(report=locked)
    return locked


@transaction.atomic
def report_import_apply(
    *,
    report: Report,
    actor: User,
    base_version: int,
    parts: Mapping[str, tuple[str, str]],
    figures: Mapping[str, int],
) -> Report:
    """Puts what the clerk accepted of an imported document into the draft: each part replaces
    the typed one or follows it ("replace" / "append"); only accepted figures change."""
    locked = lock_report(report)
    merged = {}
    for key, (how, text) in parts.items():
        if key not in SECTION_KEYS or how not in ("replace", "append"):
            raise ReportError("导入的内容不完整，请重新导入。")
        typed = getattr(locked, key)
        text = normalise_text(text)
        merged[key] = f"{typed}\n{text}" if how == "append" and typed and text else text or typed
    locked = save_locked_draft(
        locked=locked, actor=actor, base_version=base_version, parts=merged, figures=figures
    )
    report_score_compute(report=locked)
    return locked


# Every stored figure of a report (a few dozen rows), with a statement compiled once.
_REPORT_VALUES = FixedQuery(lambda pk: ReportValue.objects.filter(report_id=pk))


def _store_figures(*, report: Report, actor: User, figures: Mapping[str, int | None]) -> None:
    """The changed figures in two bulk writes (each with its history rows)."""
    if not figures:
        return
    # The form's figures are the active elements, already read for this request (memo).
    active = {element.code: element for element in active_data_elements()}
    if active.keys() >= figures.keys():
        elements = {code: active[code] for code in figures}
    else:
        elements = {e.code: e for e in DataElement.objects.filter(code__in=list(figures))}
    unknown = set(figures) - set(elements)
    if unknown:
        raise ReportError("未知的数据项：" + "、".join(sorted(unknown)))
    for code, number in figures.items():
        if number is not None and number < 0:
            raise ReportError(f"“{elements[code].name}”不能为负数。")
    wanted = {element.pk for element in elements.values()}
    stored = {
        value.element_id: value for value in _REPORT_VALUES(report.pk) if value.element_id in wanted
    }
    created, updated = [], []
    for code, number in figures.items():
        element = elements[code]
        row = stored.get(element.pk)
        if row is None:
            if number is not None:
                created.append(ReportValue(report=report, element=element, value=number))
        elif row.value != number:
            row.value = number
            updated.append(row)
    if created:
        bulk_create_with_history(created, ReportValue, default_user=actor)
    if updated:
        # bulk_update_with_history's two writes, the first one prepared once: composing the
        # ORM's CASE … WHEN for the changed rows cost more than the update itself.
        _update_values(updated)
        ReportValue.history.bulk_history_create(updated, update=True, default_user=actor)


_UPDATE_VALUES = f"""
UPDATE {ReportValue._meta.db_table} AS v SET value = x.value
FROM unnest(%s::bigint[], %s::bigint[]) AS x(id, value)
WHERE v.id = x.id
"""


def _array(numbers: list[int | None]) -> str:
    # An array literal: its type is the statement's (a list would be sent as text[] when it
    # holds nothing but NULLs).
    return "{" + ",".join("NULL" if n is None else str(int(n)) for n in numbers) + "}"


def _update_values(rows: list[ReportValue]) -> None:
    if connection.vendor != "postgresql":
        ReportValue.objects.bulk_update(rows, ["value"])
        return
    with connection.cursor() as cursor:
        execute_prepared(
            cursor, _UPDATE_VALUES, [_array([r.pk for r in rows]), _array([r.value for r in rows])]
        )
