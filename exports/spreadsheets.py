"""Spreadsheets (.xlsx, openpyxl) of a county or of a province: one row per township with its
status, dates, total, rank, points per indicator and every figure with its unit — the county's
own 台账 in the form its staff keep it.

Text that a spreadsheet program would read as a formula (starting with = + - @) is written as
text, never as a formula."""

import io
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from indicators.models import Indicator
from indicators.scoring import explain, fmt
from indicators.selectors import active_data_elements, active_indicator_set, set_indicators
from org.models import County, Period, Township
from reading.sections import SECTION_KEYS
from reports.models import Report, ReportStatusChange
from reports.selectors.reports import figures_of
from reports.selectors.scores import RankRow, assign_ranks
from reports.workflow import ReportStatus

Progress = Callable[[int], None]
# Text starting with one of these is a formula to Excel, LibreOffice and WPS.
FORMULA_STARTS = ("=", "+", "-", "@")
# Reports read per query when a whole province is written.
BATCH = 2000
NOT_STARTED = "未开始"


def _noop(_percent: int) -> None:
    pass


def safe_cell(sheet: WriteOnlyWorksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    """A cell holding the value; text is always text (a leading = + - @ does not make a
    formula), decimals are numbers, times are local times without a zone (Excel has none)."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def _points(item: dict[str, Any] | None) -> Decimal | str | None:
    if item is None:
        return None
    if item["status"] == "not_applicable":
        return "不适用"
    return Decimal(item["points"])


def _deductions_text(row: RankRow, indicators: list[Indicator]) -> str:
    """Every deduction of the row's score (扣分制 and 审核赋分), as the breakdown explains it."""
    parts = []
    for indicator in indicators:
        item = row.items.get(indicator.code) or {}
        for deduction in item.get("deductions", []):
            note = f"（{deduction['note']}）" if deduction.get("note") else ""
            parts.append(f"{indicator.name} −{fmt(deduction['points'])}：{deduction['name']}{note}")
    return "；".join(parts)


def township_rows(
    townships: Iterable[Township], period: Period, indicators: list[Indicator]
) -> Iterable[tuple[RankRow, dict[str, int | None], datetime | None]]:
    """(ranked row, figures, approval time) per township, ranked within its county; the
    reports, figures and approvals are read per batch of townships, not per township."""
    batch: list[Township] = []

    def flush() -> Iterable[tuple[RankRow, dict[str, int | None], datetime | None]]:
        reports = {
            report.township_id: report
            for report in Report.objects.filter(period=period, township__in=batch)
            .select_related("score", "period")
            .defer(*SECTION_KEYS)
        }
        ids = [report.pk for report in reports.values()]
        figures = figures_of(ids)
        approved = dict(
            ReportStatusChange.objects.filter(report_id__in=ids, to_status=ReportStatus.APPROVED)
            .values("report_id")
            .annotate(at=Max("at"))
            .values_list("report_id", "at")
        )
        rows: list[RankRow] = []
        for township in batch:
            report = reports.get(township.pk)
            score = getattr(report, "score", None) if report is not None else None
            items = (
                {item["code"]: item for item in explain(score.breakdown, indicators)}
                if score
                else {}
            )
            rows.append(RankRow(township=township, report=report, score=score, items=items))
        by_county: dict[int, list[RankRow]] = {}
        for row in rows:
            by_county.setdefault(row.township.county_id, []).append(row)
        for county_rows in by_county.values():
            assign_ranks(county_rows)
        for row in rows:
            report = row.report
            yield (
                row,
                figures.get(report.pk, {}) if report else {},
                approved.get(report.pk) if report else None,
            )

    county_id = None
    for township in townships:
        # A batch always ends with a whole county, so that ranks are the county's.
        if len(batch) >= BATCH and township.county_id != county_id:
            yield from flush()
            batch = []
        batch.append(township)
        county_id = township.county_id
    if batch:
        yield from flush()


def townships_workbook(
    townships: list[Township], period: Period, *, title: str, progress: Progress = _noop
) -> bytes:
    """The workbook of the given townships (in county order) for the period."""
    indicator_set = active_indicator_set(period)
    indicators = set_indicators(indicator_set.pk) if indicator_set else []
    elements = list(active_data_elements())
    book = Workbook(write_only=True)
    sheet = book.create_sheet("乡镇数据")
    fixed = [
        "序号",
        "省（自治区、直辖市）",
        "市（州）",
        "县（市、区）",
        "乡镇（街道）",
        "状态",
        "报送时间",
        "是否迟报",
        "审核通过时间",
        "总分",
        "县内排名",
    ]
    header = (
        fixed
        + [f"{ind.name}（满分 {ind.points.normalize():f} 分）" for ind in indicators]
        + [f"{element.name}（{element.unit}）" for element in elements]
        + ["扣分明细"]
    )
    widths = [6, 12, 12, 12, 14, 10, 18, 8, 18, 8, 8] + [14] * (len(header) - len(fixed) - 1) + [60]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "F3"
    sheet.append([safe_cell(sheet, f"{title}（{period.year}年度）", bold=True)])
    sheet.append([safe_cell(sheet, name, bold=True) for name in header])
    total = max(len(townships), 1)
    for number, (row, figures, approved_at) in enumerate(
        township_rows(townships, period, indicators), start=1
    ):
        township, report = row.township, row.report
        county = township.county
        status = report.get_status_display() if report else NOT_STARTED
        values: list[Any] = [
            number,
            county.province,
            county.city,
            county.name,
            township.name,
            status,
            report.submitted_at if report else None,
            ("是" if report.is_late else "否") if report and report.submitted_at else None,
            approved_at,
        ]
        if row.score is None:
            values += [None, None]
        else:
            values += [
                row.score.total,
                row.rank if row.rank is not None else ("暂估" if row.provisional else None),
            ]
        values += [_points(row.items.get(ind.code)) for ind in indicators]
        values += [figures.get(element.code) for element in elements]
        values.append(_deductions_text(row, indicators) or None)
        cells = [safe_cell(sheet, value) for value in values]
        for cell, value in zip(cells, values, strict=True):
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
        sheet.append(cells)
        if number % 200 == 0:
            progress(10 + 80 * number // total)
    notes = book.create_sheet("说明")
    for line in (
        f"{title}（{period.year}年度）",
        f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        "状态为「草稿」的得分是暂估，不参加排名；「不适用」的指标不计入满分，总分折算为百分制。",
        "数据项空白表示未填报（不同于 0）。",
        "扣分明细：扣分制指标的每项扣分，以及审核员审核赋分的扣分项和扣分说明。",
    ):
        notes.append([safe_cell(notes, line)])
    output = io.BytesIO()
    book.save(output)
    progress(95)
    return output.getvalue()


def county_workbook(county: County, period: Period, progress: Progress = _noop) -> bytes:
    townships = list(county.townships.select_related("county").order_by("order", "name"))
    progress(10)
    return townships_workbook(
        townships, period, title=f"{county.name}法治政府建设情况数据表", progress=progress
    )


def province_workbook(period: Period, province: str = "", progress: Progress = _noop) -> bytes:
    townships = Township.objects.select_related("county").order_by(
        "county__province", "county__city", "county__name", "county_id", "order", "name"
    )
    if province:
        townships = townships.filter(county__province=province)
    rows = list(townships)
    progress(10)
    place = province or "全部"
    return townships_workbook(
        rows, period, title=f"{place}各县（市、区）法治政府建设情况数据表", progress=progress
    )
