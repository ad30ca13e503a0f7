"""Marking a figure flagged 「请核实」 as checked, with a note (the clerk while the report can be
edited, the county's reviewer at any time)."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from indicators.models import DataElement
from org.access import Right
from reading.normalise import normalise_text

from ..models import FigureCheck, Report
from ..selectors.plausibility import figure_plausibility
from ..validators import text_problem
from ..workflow import EDITABLE_STATUSES
from .common import ReportError, lock_report, rights_on

MAX_NOTE = 500


@transaction.atomic
def figure_check_mark(*, report: Report, code: str, actor: User, note: str) -> FigureCheck:
    locked = lock_report(report)
    rights = rights_on(actor, locked)
    clerk_may = (
        Right.WRITE in rights and locked.status in EDITABLE_STATUSES and not locked.period.locked
    )
    if not (clerk_may or Right.REVIEW in rights):
        raise PermissionDenied("只有本乡镇的填报员（报告可修改时）和本县的审核员可以核实数据。")
    element = DataElement.objects.filter(code=code).first()
    row = figure_plausibility(locked).get(code)
    if element is None or row is None:
        raise ReportError("没有这个数据项。")
    if not row.flag.flagged:
        raise ReportError(f"「{element.name}」没有需要核实的提示。")
    text = normalise_text(note or "")
    if not text:
        raise ReportError("请写明核实情况（例如：已与台账核对，数据无误）。")
    problem = text_problem(text, max_chars=MAX_NOTE)
    if problem:
        raise ReportError(problem)
    return FigureCheck.objects.create(
        report=locked,
        element=element,
        value=row.flag.value,
        previous=row.flag.previous,
        note=text,
        checked_by=actor,
    )
