"""What every report service shares: the refusals users are shown, the row lock, the rights check."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from org.access import Right, rights_at
from reportportal.db import FixedQuery, execute_prepared

from ..models import Report, ReportSnapshot


class ReportError(Exception):
    """A refusal whose message (Chinese) is shown to the user as it is."""


class VersionConflict(ReportError):
    def __init__(self, current: Report):
        who = (
            (current.updated_by.get_full_name() or current.updated_by.username)
            if current.updated_by
            else "其他人"
        )
        when = timezone.localtime(current.updated_at).strftime("%H:%M")
        super().__init__(
            f"保存失败：在您编辑期间，{who}于{when}已保存了新的内容。您填写的内容仍保留在下方，"
            "请与已保存的内容核对合并后再保存。"
        )
        self.current = current


class SubmissionRefused(ReportError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("报告未能提交：请按提示修改标出的内容后再提交。")
        self.errors = errors


class ReasonRequired(ReportError):
    pass


_LOCKED = FixedQuery(
    lambda pk: (
        Report.objects.filter(pk=pk)
        .select_for_update(of=("self",))
        .select_related("period", "township")
    )
)


def lock_report(report: Report) -> Report:
    """The report again, its row locked until the transaction ends, with what checks read."""
    found = _LOCKED(report.pk)
    if not found:
        raise Report.DoesNotExist("Report matching query does not exist.")
    return found[0]


def rights_on(actor: User, report: Report) -> frozenset[Right]:
    return rights_at(actor, township_id=report.township_id, county_id=report.township.county_id)


def require_right(actor: User, report: Report, right: Right, refusal: str) -> None:
    if right not in rights_on(actor, report):
        raise PermissionDenied(refusal)


_ROUNDS_SQL = f"SELECT count(*) FROM {ReportSnapshot._meta.db_table} WHERE report_id = %s"


def current_round(report: Report) -> int:
    """How many times the report was submitted (one snapshot a submission)."""
    with connection.cursor() as cursor:
        execute_prepared(cursor, _ROUNDS_SQL, [report.pk])
        return int(cursor.fetchone()[0])
