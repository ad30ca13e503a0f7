"""One period's data as a self-contained JSON document, and back (issue 7: no data lost).

pg_dump of the whole database is the backup of record (README, 备份与恢复). This module moves or
restores one year without touching the others: the period, its indicator sets, its reports with
figures, moves, snapshots, comments, stored scores and the django-simple-history rows of reports and
figures.

Rows refer to what the file does not carry by natural keys (township: province, county, name; user:
username; data element: code; period: year), so a file loads into another database that has the
same org units, data elements and users. Users are never created by an import: an account carries a
role, a place and a password that a file cannot vouch for, so unknown usernames are refused by name
and an admin creates those accounts (inactive if they only appear in the history) first. Surrogate
ids never appear in the file, so exporting an imported period gives the same document again.

Not exported: ExportJob (summary PDFs, regenerated on demand) and the report similarity tables
(fingerprints, bands, similarities), which are derived from the text and recomputed.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Min
from django.utils import timezone

from indicators.models import DataElement, DeductionItem, Indicator, IndicatorSet, ValidationRule
from reading.sections import SECTION_KEYS
from reports.models import ReportScore

from .models import (
    Evidence,
    FigureCheck,
    Period,
    Report,
    ReportSnapshot,
    ReportStatusChange,
    ReportValue,
    ReviewComment,
    ReviewerDeduction,
    Township,
)

FORMAT = "reportportal-period"
VERSION = 1

# Models that hang off a period or report but are deliberately left out (label → why); the tests
# fail when a new model points at Report, Period or IndicatorSet and is in neither list.
SKIPPED_MODELS = {
    "exports.exportjob": "汇总 PDF 导出任务，可随时重新生成",
    "reports.importjob": "导入任务：识别中的文件和结果只保留到填报员确认为止",
    "reports.remindersent": "提醒发送记录，只用于避免同一天重复提醒",
    "reports.reportfingerprint": "相似度派生数据，可重新计算",
    "reports.reportband": "相似度派生数据，可重新计算",
    "reports.reportsimilarity": "相似度派生数据，可重新计算",
}


class BackupError(Exception):
    """A refusal (Chinese message, shown as it is); nothing has been written when it is raised."""


@dataclass(frozen=True)
class Spec:
    """How one model's rows are written: plain fields as they are, references by natural key, and
    the fields the document's nesting carries instead (the tests check that these cover every
    concrete field, so a new column cannot be silently left out)."""

    model: type[models.Model]
    plain: tuple[str, ...]
    refs: dict[str, str] = field(default_factory=dict)  # FK field → "user" | "township" | …
    structural: tuple[str, ...] = ()
    added: tuple[str, ...] = ()  # plain fields files written before them lack (default then)

    def fields(self) -> set[str]:
        return {*self.plain, *self.refs, *self.structural}


PARTS = tuple(SECTION_KEYS)
HistoricalReport = Report.history.model
HistoricalReportValue = ReportValue.history.model
HISTORY_META = ("history_date", "history_type", "history_change_reason")

PERIOD = Spec(
    Period,
    ("year", "deadline", "locked", "evidence_public"),
    {},
    ("id",),
    added=("evidence_public",),
)
REPORT = Spec(
    Report,
    # missing_parts is derived from the text, but scoring reads it: kept so scores stay true.
    ("status", *PARTS, "version", "created_at", "updated_at", "submitted_at", "missing_parts"),
    {"township": "township", "updated_by": "user"},
    ("id", "period"),
)
VALUE = Spec(ReportValue, ("value",), {"element": "element"}, ("id", "report"))
STATUS_CHANGE = Spec(
    ReportStatusChange,
    ("from_status", "to_status", "at", "note"),
    {"actor": "user"},
    ("id", "report"),
)
SNAPSHOT = Spec(ReportSnapshot, ("round", "parts", "figures", "submitted_at"), {}, ("id", "report"))
COMMENT = Spec(
    ReviewComment,
    ("target", "body", "round", "created_at", "resolved_at"),
    {"author": "user", "resolved_by": "user"},
    ("id", "report", "parent"),  # parent: index into the report's comment list
)
SCORE = Spec(
    ReportScore,
    ("earned", "maximum", "total", "breakdown", "computed_at"),
    {},
    ("id", "report", "indicator_set"),  # indicator_set: index into the period's sets
)
REPORT_HISTORY = Spec(
    HistoricalReport,
    ("status", *PARTS, "version", "created_at", "submitted_at", *HISTORY_META),
    {"township": "township", "period": "period", "updated_by": "user", "history_user": "user"},
    ("id", "history_id"),
)
VALUE_HISTORY = Spec(
    HistoricalReportValue,
    ("value", *HISTORY_META),
    {"element": "element", "history_user": "user"},
    ("id", "report", "history_id"),  # id: the "row" key, see _value_row_keys
)
FIGURE_CHECK = Spec(
    FigureCheck,
    ("value", "previous", "note", "checked_at"),
    {"element": "element", "checked_by": "user"},
    ("id", "report"),
)
INDICATOR_SET = Spec(
    IndicatorSet,
    ("name", "active", "change_factor", "updated_at"),
    {},
    ("id", "period"),
    added=("change_factor",),
)
INDICATOR = Spec(
    Indicator,
    (
        "code",
        "name",
        "area",
        "formula",
        "rule",
        "target",
        "bands",
        "points",
        "step",
        "deduction",
        "cap",
        "when_missing",
        "order",
    ),
    {},
    ("id", "indicator_set"),
    added=("step", "deduction", "cap"),
)
DEDUCTION_ITEM = Spec(DeductionItem, ("name", "points", "order"), {}, ("id", "indicator"))
REVIEWER_DEDUCTION = Spec(
    ReviewerDeduction,
    ("note", "created_at", "withdrawn_at"),
    {"created_by": "user", "withdrawn_by": "user"},
    # item: [index of the period's set, indicator code, position among its deduction items]
    ("id", "report", "item"),
)
RULE = Spec(
    ValidationRule,
    ("left_expression", "operator", "right_expression", "message", "order", "active"),
    {},
    ("id", "indicator_set"),
)

# 佐证材料: the rows, with each file's storage name and SHA-256. The files themselves are in
# MEDIA_ROOT/evidence/ and are copied with it (README, 备份与恢复); an import checks each is there.
EVIDENCE = Spec(
    Evidence,
    ("target", "name", "kind", "size", "uploaded_at"),
    {"uploaded_by": "user"},
    ("id", "report", "file"),
)

# Lists nested in each report, in the order they are written.
REPORT_CHILDREN = {
    "values": VALUE,
    "status_changes": STATUS_CHANGE,
    "snapshots": SNAPSHOT,
    "comments": COMMENT,
    "history": REPORT_HISTORY,
    "value_history": VALUE_HISTORY,
    "figure_checks": FIGURE_CHECK,
    "deductions": REVIEWER_DEDUCTION,
    "evidence": EVIDENCE,
}
SPECS = (
    *REPORT_CHILDREN.values(),
    PERIOD,
    REPORT,
    SCORE,
    INDICATOR_SET,
    INDICATOR,
    DEDUCTION_ITEM,
    RULE,
)


def _out(value):
    """A JSON value; datetimes keep their microseconds and offset so they come back exactly."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _in(model, name: str, raw):
    return model._meta.get_field(name).to_python(raw)


def _auto_time_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


# --- export ---------------------------------------------------------------------------------


class _Keys:
    """pk → natural key, each kind loaded once on first use (one query, not one per row)."""

    @cached_property
    def user(self) -> dict[int, str]:
        return dict(get_user_model().objects.values_list("pk", "username"))

    @cached_property
    def township(self) -> dict[int, list[str]]:
        rows = Township.objects.values_list("pk", "county__province", "county__name", "name")
        return {pk: [province, county, name] for pk, province, county, name in rows}

    @cached_property
    def element(self) -> dict[int, str]:
        return dict(DataElement.objects.values_list("pk", "code"))

    @cached_property
    def period(self) -> dict[int, int]:
        return dict(Period.objects.values_list("pk", "year"))

    def of(self, kind: str, pk):
        return None if pk is None else getattr(self, kind)[pk]


def _row(spec: Spec, values: dict, keys: _Keys) -> dict:
    row = {name: _out(values[name]) for name in spec.plain}
    for name, kind in spec.refs.items():
        row[name] = keys.of(kind, values[f"{name}_id"])
    return row


def _columns(spec: Spec, *extra: str) -> list[str]:
    return [*spec.plain, *(f"{name}_id" for name in spec.refs), *extra]


def _grouped(queryset, spec: Spec, by: str, *extra: str) -> dict[int, list[dict]]:
    groups = defaultdict(list)
    for values in queryset.values(*_columns(spec, by, *extra)):
        groups[values[by]].append(values)
    return groups


def _stored_sha256(name: str) -> str | None:
    """The SHA-256 of a stored file, or None when storage has no such file."""
    if not name.startswith("evidence/") or ".." in name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _value_row_keys(live: dict[int, str], history: list[dict]) -> dict[int, str]:
    """Value id → the key its history rows carry: the element code of the live row (live maps
    id → code), or "deleted:N" for a row since deleted (the admin can), numbered by first use."""
    keys = dict(live)
    deleted = 0
    for values in history:
        if values["id"] not in keys:
            deleted += 1
            keys[values["id"]] = f"deleted:{deleted}"
    return keys


def period_export(*, period: Period) -> dict:
    """Everything of one period as plain JSON values (see the module docstring)."""
    keys = _Keys()
    sets = list(
        IndicatorSet.objects.filter(period=period)
        .order_by("pk")
        .values(*_columns(INDICATOR_SET, "id"))
    )
    set_index = {each["id"]: i for i, each in enumerate(sets)}
    reports = list(
        Report.objects.filter(period=period)
        .order_by("township__county__province", "township__county__name", "township__name")
        .values(*_columns(REPORT, "id"))
    )
    # A subquery rather than a list of ids: a province's period has thousands of reports.
    ids = Report.objects.filter(period=period).values("pk")
    in_period = {"report_id__in": ids}

    values = _grouped(
        ReportValue.objects.filter(**in_period).order_by("element__code"), VALUE, "report_id", "id"
    )
    changes = _grouped(
        ReportStatusChange.objects.filter(**in_period).order_by("at", "pk"),
        STATUS_CHANGE,
        "report_id",
    )
    snapshots = _grouped(
        ReportSnapshot.objects.filter(**in_period).order_by("round"), SNAPSHOT, "report_id"
    )
    comments = _grouped(
        ReviewComment.objects.filter(**in_period).order_by("created_at", "pk"),
        COMMENT,
        "report_id",
        "id",
        "parent_id",
    )
    scores = _grouped(
        ReportScore.objects.filter(**in_period), SCORE, "report_id", "indicator_set_id"
    )
    # A deduction item is referred to as [set index, indicator code, position].
    items_of: dict[int, list[dict]] = defaultdict(list)
    item_key: dict[int, list] = {}
    for entry in (
        DeductionItem.objects.filter(indicator__indicator_set__period=period)
        .order_by("order", "pk")
        .values(*_columns(DEDUCTION_ITEM, "id", "indicator_id"), "indicator__code")
        .annotate(set_id=models.F("indicator__indicator_set_id"))
    ):
        own = items_of[entry["indicator_id"]]
        item_key[entry["id"]] = [set_index[entry["set_id"]], entry["indicator__code"], len(own)]
        own.append(entry)
    deductions = _grouped(
        ReviewerDeduction.objects.filter(**in_period).order_by("created_at", "pk"),
        REVIEWER_DEDUCTION,
        "report_id",
        "item_id",
    )
    figure_checks = _grouped(
        FigureCheck.objects.filter(**in_period).order_by("checked_at", "pk"),
        FIGURE_CHECK,
        "report_id",
    )
    evidence = _grouped(
        Evidence.objects.filter(**in_period).order_by("uploaded_at", "pk"),
        EVIDENCE,
        "report_id",
        "file",
    )
    history = _grouped(
        HistoricalReport.objects.filter(id__in=ids).order_by("history_date", "history_id"),
        REPORT_HISTORY,
        "id",
    )
    value_history = _grouped(
        HistoricalReportValue.objects.filter(**in_period).order_by("history_date", "history_id"),
        VALUE_HISTORY,
        "report_id",
        "id",
    )

    out_reports = []
    for report in reports:
        pk = report["id"]
        row = _row(REPORT, report, keys)
        live = {v["id"]: keys.element[v["element_id"]] for v in values[pk]}
        row["values"] = [_row(VALUE, v, keys) for v in values[pk]]
        row["status_changes"] = [_row(STATUS_CHANGE, v, keys) for v in changes[pk]]
        row["snapshots"] = [_row(SNAPSHOT, v, keys) for v in snapshots[pk]]
        position = {c["id"]: i for i, c in enumerate(comments[pk])}
        row["comments"] = [
            {**_row(COMMENT, c, keys), "parent": position.get(c["parent_id"])} for c in comments[pk]
        ]
        row["score"] = None
        for score in scores[pk]:
            if score["indicator_set_id"] not in set_index:
                raise BackupError(
                    f"{keys.township[report['township_id']][2]}的得分是按其他年度的指标体系计算的，"
                    "请先运行 recompute_scores 重新计算后再导出。"
                )
            row["score"] = {
                **_row(SCORE, score, keys),
                "indicator_set": set_index[score["indicator_set_id"]],
            }
        row["history"] = [_row(REPORT_HISTORY, h, keys) for h in history[pk]]
        row_keys = _value_row_keys(live, value_history[pk])
        row["value_history"] = [
            {**_row(VALUE_HISTORY, h, keys), "row": row_keys[h["id"]]} for h in value_history[pk]
        ]
        row["figure_checks"] = [_row(FIGURE_CHECK, v, keys) for v in figure_checks[pk]]
        row["evidence"] = [
            {**_row(EVIDENCE, e, keys), "file": e["file"], "sha256": _stored_sha256(e["file"])}
            for e in evidence[pk]
        ]
        row["deductions"] = []
        for each in deductions[pk]:
            if each["item_id"] not in item_key:
                raise BackupError(
                    f"{keys.township[report['township_id']][2]}的审核扣分项不属于本年度的指标体系。"
                )
            row["deductions"].append(
                {**_row(REVIEWER_DEDUCTION, each, keys), "item": item_key[each["item_id"]]}
            )
        out_reports.append(row)

    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "period": _row(PERIOD, Period.objects.values(*_columns(PERIOD)).get(pk=period.pk), keys),
        "indicator_sets": [
            {
                **_row(INDICATOR_SET, each, keys),
                "indicators": [
                    {
                        **_row(INDICATOR, v, keys),
                        "deduction_items": [
                            _row(DEDUCTION_ITEM, i, keys) for i in items_of[v["id"]]
                        ],
                    }
                    for v in Indicator.objects.filter(indicator_set_id=each["id"])
                    .order_by("order", "pk")
                    .values(*_columns(INDICATOR, "id"))
                ],
                "validation_rules": [
                    _row(RULE, v, keys)
                    for v in ValidationRule.objects.filter(indicator_set_id=each["id"])
                    .order_by("order", "pk")
                    .values(*_columns(RULE))
                ],
            }
            for each in sets
        ],
        "reports": out_reports,
    }


# --- import ---------------------------------------------------------------------------------

BATCH = 1000


def _check_header(data) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f'这不是报告年度导出文件（缺少 "format": "{FORMAT}"）。')
    if data.get("version") != VERSION:
        raise BackupError(
            f"不支持的导出文件版本：{data.get('version')!r}。本系统只能导入第 {VERSION} 版。"
        )


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


class _Ids:
    """natural key → pk for everything the file refers to; every unknown key is named at once."""

    def __init__(self, data: dict, year: int):
        wanted: dict[str, set] = defaultdict(set)
        for report in data["reports"]:
            for spec, rows in [(REPORT, [report])] + [
                (spec, report.get(name, [])) for name, spec in REPORT_CHILDREN.items()
            ]:
                for row in rows:
                    for name, kind in spec.refs.items():
                        if row[name] is not None:
                            wanted[kind].add(_hashable(row[name]))
        self.user = dict(
            get_user_model()
            .objects.filter(username__in=wanted["user"])
            .values_list("username", "pk")
        )
        names = {key[2] for key in wanted["township"]}
        self.township = {
            (province, county, name): pk
            for pk, province, county, name in Township.objects.filter(name__in=names).values_list(
                "pk", "county__province", "county__name", "name"
            )
        }
        self.element = dict(
            DataElement.objects.filter(code__in=wanted["element"]).values_list("code", "pk")
        )
        self.period = dict(
            Period.objects.filter(year__in=wanted["period"]).values_list("year", "pk")
        )

        problems = []
        missing = sorted(wanted["township"] - set(self.township))
        if missing:
            problems.append("没有这些乡镇（街道）：" + "、".join("".join(key) for key in missing))
        missing = sorted(wanted["user"] - set(self.user))
        if missing:
            problems.append(
                "没有这些用户：" + "、".join(missing) + "（导入不会创建账号，请管理员先建立；"
                "只在历史记录中出现的可建为停用账号）"
            )
        missing = sorted(wanted["element"] - set(self.element))
        if missing:
            problems.append("没有这些数据项：" + "、".join(missing))
        missing = sorted(wanted["period"] - set(self.period) - {year})
        if missing:
            problems.append("没有这些报告年度：" + "、".join(str(y) for y in missing))
        if problems:
            raise BackupError("不能导入：目标数据库中" + "；".join(problems) + "。未导入任何数据。")

    def refs(self, spec: Spec, row: dict) -> dict:
        return {
            f"{name}_id": None if row[name] is None else getattr(self, kind)[_hashable(row[name])]
            for name, kind in spec.refs.items()
        }


def _plain(spec: Spec, row: dict) -> dict:
    """The plain fields of a row; a field added to the format since version 1 (spec.added) and
    absent from an older file takes its default."""
    return {
        name: _in(spec.model, name, row[name])
        for name in spec.plain
        if name in row or name not in spec.added
    }


def _bulk_create(model, objs: list) -> list:
    """bulk_create, then the auto_now/auto_now_add times put back to the file's values: insert
    stamps them with now, while bulk_update writes attributes as they are."""
    auto = _auto_time_fields(model)
    kept = [[getattr(obj, name) for name in auto] for obj in objs]
    model.objects.bulk_create(objs, batch_size=BATCH)
    if auto and objs:
        for obj, values in zip(objs, kept, strict=True):
            for name, value in zip(auto, values, strict=True):
                setattr(obj, name, value)
        model.objects.bulk_update(objs, auto, batch_size=BATCH)
    return objs


def _index(position, length: int, what: str) -> int:
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position < length:
        raise ValueError(f"{what}的引用 {position!r} 无效")
    return position


def _period_clear(period: Period) -> None:
    """Deletes the period's reports (with everything hanging off them) and indicator sets."""
    report_ids = list(Report.objects.filter(period=period).values_list("pk", flat=True))
    # Figures first, in one statement: through the ORM each would write a "-" history row, one
    # query per figure, only to be deleted below.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ReportValue._meta.db_table} WHERE report_id IN "
            f"(SELECT id FROM {Report._meta.db_table} WHERE period_id = %s)",
            [period.pk],
        )
    # Through the ORM, so that whatever else hangs off a report (now or later) goes with it.
    Report.objects.filter(pk__in=report_ids).delete()
    # History rows have no foreign key to the report, and the delete has just written a "-" row
    # for each report. All of them go.
    HistoricalReport.objects.filter(id__in=report_ids).delete()
    HistoricalReportValue.objects.filter(report_id__in=report_ids).delete()
    IndicatorSet.objects.filter(period=period).delete()


def _create_sets(
    period: Period, rows: list[dict]
) -> tuple[list[IndicatorSet], dict[tuple[int, str, int], int]]:
    """The sets with their indicators, deduction items and rules; and the pk of each deduction
    item by its key in the file (set index, indicator code, position)."""
    sets = _bulk_create(
        IndicatorSet, [IndicatorSet(period=period, **_plain(INDICATOR_SET, row)) for row in rows]
    )
    pairs = [
        (index, item)
        for index, (each, row) in enumerate(zip(sets, rows, strict=True))
        for item in row["indicators"]
    ]
    indicators = Indicator.objects.bulk_create(
        [Indicator(indicator_set=sets[index], **_plain(INDICATOR, item)) for index, item in pairs],
        batch_size=BATCH,
    )
    keys = [
        ((index, item["code"], position), indicator, entry)
        for indicator, (index, item) in zip(indicators, pairs, strict=True)
        for position, entry in enumerate(item.get("deduction_items", []))
    ]
    created = DeductionItem.objects.bulk_create(
        [
            DeductionItem(indicator=indicator, **_plain(DEDUCTION_ITEM, e))
            for _k, indicator, e in keys
        ],
        batch_size=BATCH,
    )
    items = {key: item.pk for (key, _i, _e), item in zip(keys, created, strict=True)}
    ValidationRule.objects.bulk_create(
        [
            ValidationRule(indicator_set=each, **_plain(RULE, item))
            for each, row in zip(sets, rows, strict=True)
            for item in row["validation_rules"]
        ],
        batch_size=BATCH,
    )
    return sets, items


def _create_reports(
    period: Period,
    rows: list[dict],
    ids: _Ids,
    sets: list,
    items: dict[tuple[int, str, int], int] | None = None,
) -> None:
    reports = _bulk_create(
        Report,
        [Report(period=period, **_plain(REPORT, row), **ids.refs(REPORT, row)) for row in rows],
    )
    pairs = list(zip(reports, rows, strict=True))

    def children(spec: Spec, name: str) -> list:
        return [
            spec.model(report=report, **_plain(spec, item), **ids.refs(spec, item))
            for report, row in pairs
            for item in row[name]
        ]

    values = _bulk_create(ReportValue, children(VALUE, "values"))
    codes = [item["element"] for _, row in pairs for item in row["values"]]
    # A live figure's history rows carry its element code as their "row" key.
    value_pk = {(v.report_id, code): v.pk for v, code in zip(values, codes, strict=True)}
    _bulk_create(ReportStatusChange, children(STATUS_CHANGE, "status_changes"))
    _bulk_create(ReportSnapshot, children(SNAPSHOT, "snapshots"))
    items = items or {}

    def item_pk(key: list) -> int:
        if not isinstance(key, list) or len(key) != 3 or tuple(key) not in items:
            raise BackupError("文件已损坏：审核扣分指向不存在的扣分项。")
        return items[(key[0], key[1], key[2])]

    # Files written before these existed have none.
    _bulk_create(
        ReviewerDeduction,
        [
            ReviewerDeduction(
                report=report,
                item_id=item_pk(item["item"]),
                **_plain(REVIEWER_DEDUCTION, item),
                **ids.refs(REVIEWER_DEDUCTION, item),
            )
            for report, row in pairs
            for item in row.get("deductions", [])
        ],
    )
    _bulk_create(
        FigureCheck,
        [
            FigureCheck(report=report, **_plain(FIGURE_CHECK, item), **ids.refs(FIGURE_CHECK, item))
            for report, row in pairs
            for item in row.get("figure_checks", [])
        ],
    )
    files = [item for _, row in pairs for item in row.get("evidence", [])]
    missing = [
        item.get("name", "?")
        for item in files
        if not isinstance(item.get("file"), str)
        or _stored_sha256(item["file"]) != item.get("sha256")
    ]
    if missing:
        raise BackupError(
            f"佐证材料的文件不在本系统的文件目录中或内容不符（{'、'.join(missing[:5])}"
            f"{'等' if len(missing) > 5 else ''}）：请先把原系统 MEDIA_ROOT 下的 evidence 目录复制过来。"
        )
    _bulk_create(
        Evidence,
        [
            Evidence(
                report=report,
                file=item["file"],
                **_plain(EVIDENCE, item),
                **ids.refs(EVIDENCE, item),
            )
            for report, row in pairs
            for item in row.get("evidence", [])
        ],
    )

    comments = _bulk_create(ReviewComment, children(COMMENT, "comments"))
    answers, start = [], 0
    for _, row in pairs:
        own = comments[start : start + len(row["comments"])]
        for comment, item in zip(own, row["comments"], strict=True):
            if item["parent"] is not None:
                comment.parent = own[_index(item["parent"], len(own), "审核意见")]
                answers.append(comment)
        start += len(own)
    ReviewComment.objects.bulk_update(answers, ["parent"], batch_size=BATCH)

    _bulk_create(
        ReportScore,
        [
            ReportScore(
                report=report,
                indicator_set=sets[_index(row["score"]["indicator_set"], len(sets), "指标体系")],
                **_plain(SCORE, row["score"]),
            )
            for report, row in pairs
            if row["score"] is not None
        ],
    )
    _bulk_create(
        HistoricalReport,
        [
            HistoricalReport(
                id=report.pk, **_plain(REPORT_HISTORY, item), **ids.refs(REPORT_HISTORY, item)
            )
            for report, row in pairs
            for item in row["history"]
        ],
    )

    # History of a figure row deleted since (the admin can) needs an id no live row has or will
    # get: negative ones, below any already used, one per deleted row.
    orphan_ids: dict[tuple[int, str], int] = {}
    lowest = min(HistoricalReportValue.objects.aggregate(low=Min("id"))["low"] or 0, 0)

    def value_id(report_pk: int, key: str) -> int:
        nonlocal lowest
        if (report_pk, key) in value_pk:
            return value_pk[report_pk, key]
        if (report_pk, key) not in orphan_ids:
            lowest -= 1
            orphan_ids[report_pk, key] = lowest
        return orphan_ids[report_pk, key]

    _bulk_create(
        HistoricalReportValue,
        [
            HistoricalReportValue(
                id=value_id(report.pk, item["row"]),
                report=report,
                **_plain(VALUE_HISTORY, item),
                **ids.refs(VALUE_HISTORY, item),
            )
            for report, row in pairs
            for item in row["value_history"]
        ],
    )


def _import(data: dict, *, replace: bool) -> Period:
    head = _plain(PERIOD, data["period"])
    year = head.pop("year")
    period = Period.objects.select_for_update().filter(year=year).first()
    if period is not None and not replace:
        raise BackupError(
            f"数据库中已有 {year} 报告年度，未导入任何数据。如要用文件中的数据替换它，请加 --replace。"
        )
    ids = _Ids(data, year)
    if period is None:
        period = Period.objects.create(year=year, **head)
    else:
        _period_clear(period)
        for name, value in head.items():
            setattr(period, name, value)
        period.save(update_fields=list(head))
    ids.period[year] = period.pk
    sets, items = _create_sets(period, data["indicator_sets"])
    _create_reports(period, data["reports"], ids, sets, items)
    return period


@transaction.atomic
def period_import(*, data, replace: bool = False) -> Period:
    """Loads a period_export() document in one transaction: all of it, or nothing on any error.

    An existing period of the same year is refused unless replace, which deletes its reports (with
    their figures, moves, snapshots, comments, scores and history) and its indicator sets first.
    """
    _check_header(data)
    try:
        return _import(data, replace=replace)
    except BackupError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, ValidationError) as exc:
        raise BackupError(
            f"导出文件内容不完整或已损坏（{type(exc).__name__}: {exc}），未导入任何数据。"
        ) from exc
    except DatabaseError as exc:
        raise BackupError(f"数据库拒绝了文件中的数据（{exc}），未导入任何数据。") from exc
