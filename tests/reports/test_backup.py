"""export_period / import_period: one period out to JSON and back with nothing lost (issue 7)."""

import json
from dataclasses import dataclass
from io import StringIO

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from indicators.models import IndicatorSet
from org.models import Membership, Period, Township
from org.services import membership_assign
from reports.backup import SKIPPED_MODELS, SPECS, BackupError, period_export, period_import
from reports.models import Evidence, Report, ReportScore, ReportValue, ReviewComment
from reports.selectors.reports import report_figures
from reports.services.comments import comment_add, comment_answer, comment_resolve
from reports.services.drafts import report_save_draft, report_start
from reports.services.evidence import evidence_add
from reports.services.transitions import (
    report_approve,
    report_publish,
    report_return,
    report_submit,
)
from tests.factories import UserFactory
from tests.helpers import submit_report

FIGURES = {
    "villages_total": 20,
    "villages_with_legal_advisor": 18,
    "disputes_mediated": 100,
    "disputes_resolved": 95,
    "admin_lawsuits": 0,
    "head_appearances": 0,
    "emergency_drills": 3,
}


@dataclass
class World:
    period: Period
    lianchi: Report  # published after a return, an answered comment and a resubmission
    dongcheng: Report  # returned, with an open comment
    beicheng: Report  # submitted
    huatai: Report  # draft, with a figure cleared to unknown and one deleted by an admin


def save(report, clerk, parts=None, figures=None):
    return report_save_draft(
        report=report,
        actor=clerk,
        base_version=report.version,
        parts=parts or {},
        figures=figures or {},
    )


@pytest.fixture
def world(personas, full_parts) -> World:
    reviewer, admin = personas.reviewer_shenqiu, personas.admin

    clerk = personas.clerk_lianchi
    lianchi = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=clerk,
        parts=full_parts,
        figures=FIGURES,
    )
    on_text = comment_add(
        report=lianchi, actor=reviewer, target="shortcomings", body="不足写得太简单。"
    )
    comment_add(report=lianchi, actor=reviewer, target="fig:villages_total", body="请核对村数。")
    lianchi = report_return(report=lianchi, actor=reviewer, reason="请补充不足和原因")
    comment_answer(comment=on_text, actor=clerk, body="已补充执法力量不足的原因。")
    lianchi = save(
        lianchi,
        clerk,
        parts={"shortcomings": "执法力量薄弱，原因是编制不足。"},
        # Cleared: the row stays with NULL (unknown, not 0).
        figures={"emergency_drills": None, "leadership_study_sessions": 4},
    )
    lianchi = report_submit(report=lianchi, actor=clerk)
    comment_resolve(comment=on_text, actor=reviewer)
    lianchi = report_approve(report=lianchi, actor=reviewer)
    lianchi = report_publish(report=lianchi, actor=admin)

    def clerk_of(name):
        township = Township.objects.get(county=personas.shenqiu, name=name)
        user = UserFactory(username=f"clerk_{township.pk}")
        membership_assign(user=user, role=Membership.Role.CLERK, township=township)
        return township, user

    township, user = clerk_of("东城街道")
    dongcheng = submit_report(
        township=township, period=personas.period, clerk=user, parts=full_parts
    )
    comment_add(report=dongcheng, actor=reviewer, target="leadership_duty", body="请写书记本人。")
    dongcheng = report_return(report=dongcheng, actor=reviewer, reason="第一责任人部分太笼统")

    township, user = clerk_of("北城街道")
    beicheng = submit_report(
        township=township, period=personas.period, clerk=user, parts=full_parts, figures=FIGURES
    )

    huatai = report_start(
        township=personas.huatai, period=personas.period, actor=personas.clerk_huatai
    )
    huatai = save(
        huatai,
        personas.clerk_huatai,
        parts={"measures_and_results": "花台乡全年开展普法宣传。"},
        figures={"villages_total": 12, "publicity_events": 6, "legal_consultations": 40},
    )
    huatai = save(huatai, personas.clerk_huatai, figures={"publicity_events": None})
    evidence_add(
        report=huatai,
        actor=personas.clerk_huatai,
        target="fig:publicity_events",
        upload=SimpleUploadedFile("普法活动照片.png", b"\x89PNG\r\n\x1a\n" + b"\x01" * 64),
    )
    # What the admin's figure inline does: the row goes, its history stays.
    ReportValue.objects.get(report=huatai, element__code="legal_consultations").delete()

    return World(
        period=personas.period,
        lianchi=lianchi,
        dongcheng=dongcheng,
        beicheng=beicheng,
        huatai=huatai,
    )


def as_json(data: dict) -> dict:
    """The document as a file would hold it (fails here if anything is not plain JSON)."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def content(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "exported_at"}


def export(year=2023) -> dict:
    return as_json(period_export(period=Period.objects.get(year=year)))


def facts(township: Township, year=2023) -> dict:
    """What a user sees of one report, read straight from the tables (not through backup.py)."""
    report = Report.objects.get(township=township, period__year=year)
    score = ReportScore.objects.get(report=report) if hasattr(report, "score") else None
    return {
        "pk": report.pk,
        "row": {
            name: getattr(report, name)
            for name in (
                "status",
                "measures_and_results",
                "shortcomings",
                "leadership_duty",
                "next_year_plan",
                "other",
                "version",
                "created_at",
                "updated_at",
                "submitted_at",
                "missing_parts",
            )
        },
        "updated_by": report.updated_by.username,
        "figures": report_figures(report),
        "moves": [
            (c.from_status, c.to_status, c.actor.username, c.at, c.note)
            for c in report.status_changes.order_by("at", "pk")
        ],
        "snapshots": [
            (s.round, s.parts, s.figures, s.submitted_at) for s in report.snapshots.all()
        ],
        "comments": [
            (
                c.target,
                c.body,
                c.author.username,
                c.parent.body if c.parent else None,
                c.round,
                c.created_at,
                c.resolved_at,
                c.resolved_by.username if c.resolved_by else None,
            )
            for c in report.comments.order_by("created_at", "pk")
        ],
        "history": [
            (h.history_type, h.history_date, h.history_user.username, h.version, h.status)
            for h in Report.history.filter(id=report.pk).order_by("history_date", "history_id")
        ],
        "value_history": [
            (h.element.code, h.value, h.history_type, h.history_date)
            for h in ReportValue.history.filter(report_id=report.pk).order_by(
                "history_date", "history_id"
            )
        ],
        "score": score
        and (score.earned, score.maximum, score.total, score.breakdown, score.computed_at),
    }


def all_facts(world: World) -> dict:
    return {
        report.township.name: facts(report.township)
        for report in (world.lianchi, world.dongcheng, world.beicheng, world.huatai)
    }


def without_pks(every: dict) -> dict:
    return {name: {k: v for k, v in f.items() if k != "pk"} for name, f in every.items()}


def delete_period(year=2023) -> None:
    """Removes the period the way an admin with a database shell would, independently of backup.py."""
    period = Period.objects.get(year=year)
    report_ids = list(period.reports.values_list("pk", flat=True))
    Report.objects.filter(pk__in=report_ids).delete()
    Report.history.filter(id__in=report_ids).delete()
    ReportValue.history.filter(report_id__in=report_ids).delete()
    IndicatorSet.objects.filter(period=period).delete()
    period.delete()


# --- round trips ----------------------------------------------------------------------------


def test_round_trip_into_an_emptied_database_gives_the_same_document(world):
    before = export()
    facts_before = all_facts(world)
    delete_period()
    assert not Report.objects.filter(township=world.lianchi.township).exists()

    period = period_import(data=before)

    after = export()
    assert content(after) == content(before)
    facts_after = all_facts(world)
    assert without_pks(facts_after) == without_pks(facts_before)
    # New rows, not the old ones left behind.
    assert facts_after["莲池镇"]["pk"] != facts_before["莲池镇"]["pk"]
    assert period.pk != world.period.pk

    # Spot checks, so that equal-but-empty cannot pass.
    lianchi = facts_after["莲池镇"]
    assert lianchi["row"]["status"] == "published"
    assert lianchi["row"]["shortcomings"] == "执法力量薄弱，原因是编制不足。"
    assert lianchi["row"]["created_at"] == world.lianchi.created_at
    assert lianchi["row"]["submitted_at"] == world.lianchi.submitted_at
    assert lianchi["row"]["missing_parts"] == []
    assert facts_after["花台乡"]["row"]["missing_parts"] == [
        "shortcomings",
        "leadership_duty",
        "next_year_plan",
    ]
    assert lianchi["figures"]["emergency_drills"] is None
    assert lianchi["figures"]["leadership_study_sessions"] == 4
    assert [m[1] for m in lianchi["moves"]] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
        "published",
    ]
    assert [s[0] for s in lianchi["snapshots"]] == [1, 2]
    answer = ReviewComment.objects.get(body="已补充执法力量不足的原因。")
    assert answer.parent.body == "不足写得太简单。"
    assert answer.parent.report.period == period
    assert answer.parent.resolved_by.username == "shenqiu"
    assert all(c[6] is not None for c in lianchi["comments"] if c[3] is None)  # approve resolved
    # start, save, submit, return, save, submit, approve, publish
    assert len(lianchi["history"]) == 8
    assert lianchi["score"][2] > 0
    assert ReportScore.objects.get(report__pk=lianchi["pk"]).indicator_set.period == period
    huatai = facts_after["花台乡"]
    assert huatai["row"]["status"] == "draft"
    assert huatai["figures"] == {"villages_total": 12, "publicity_events": None}
    # The deleted figure's history came back too: added, then the admin's deletion.
    assert [h[2] for h in huatai["value_history"] if h[0] == "legal_consultations"] == ["+", "-"]
    assert facts_after["东城街道"]["row"]["status"] == "returned"
    assert facts_after["北城街道"]["row"]["status"] == "submitted"
    active = IndicatorSet.objects.get(period=period, active=True)
    assert active.indicators.count() == 10
    assert active.validation_rules.count() == 3


def test_replace_restores_the_exported_state_and_leaves_no_stray_rows(world, personas):
    before = export()
    facts_before = all_facts(world)
    # Work done after the backup, which the restore must undo.
    save(world.huatai, personas.clerk_huatai, parts={"other": "导出之后写的。"})
    comment_add(
        report=world.beicheng, actor=personas.reviewer_shenqiu, target="other", body="新意见"
    )
    extra = Township.objects.get(county=personas.shenqiu, name="槐店回族镇")
    clerk = UserFactory(username="huaidian")
    membership_assign(user=clerk, role=Membership.Role.CLERK, township=extra)
    report_start(township=extra, period=world.period, actor=clerk)
    Period.objects.filter(pk=world.period.pk).update(locked=True)

    period = period_import(data=before, replace=True)

    assert period.pk == world.period.pk  # the period row is kept (export jobs point at it)
    assert content(export()) == content(before)
    assert without_pks(all_facts(world)) == without_pks(facts_before)
    assert not Report.objects.filter(township=extra).exists()
    assert not Report.history.filter(township=extra).exists()
    assert not ReviewComment.objects.filter(body="新意见").exists()
    ids = list(period.reports.values_list("pk", flat=True))
    assert Report.history.filter(id__in=ids).count() == sum(
        len(r["history"]) for r in before["reports"]
    )
    assert not Period.objects.get(year=2023).locked


# --- refusals leave everything as it was ----------------------------------------------------


def test_import_refuses_an_existing_period_without_replace(world, tmp_path):
    before = export()
    with pytest.raises(BackupError, match="已有 2023 报告年度.*--replace"):
        period_import(data=before)
    assert content(export()) == content(before)

    path = tmp_path / "2023.json"
    path.write_text(json.dumps(before, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="已有 2023 报告年度"):
        call_command("import_period", str(path))
    assert content(export()) == content(before)


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda d: d.update(version=2), "不支持的导出文件版本：2"),
        (lambda d: d.update(format="something-else"), "不是报告年度导出文件"),
        (lambda d: d["reports"][-1].pop("status"), "已损坏"),
        (lambda d: d["reports"][0]["comments"][-1].update(parent=99), "已损坏"),
        (lambda d: d["reports"][-1]["values"][0].update(value="很多"), "已损坏"),
        (lambda d: d["reports"][-1].update(created_at=None), "数据库拒绝"),
    ],
    ids=["version", "format", "missing-field", "bad-parent", "bad-number", "null-time"],
)
def test_a_spoiled_file_is_refused_and_changes_nothing(world, spoil, message):
    before = export()
    spoiled = json.loads(json.dumps(before))
    spoil(spoiled)
    # With replace, so the old period has already been deleted when the late errors are found.
    with pytest.raises(BackupError, match=message):
        period_import(data=spoiled, replace=True)
    assert content(export()) == content(before)


def test_evidence_comes_back_only_with_its_files(world):
    before = export()
    (item,) = [e for r in before["reports"] for e in r["evidence"]]
    assert item["name"] == "普法活动照片.png" and len(item["sha256"]) == 64
    stored = default_storage.open(item["file"], "rb").read()
    delete_period()
    default_storage.delete(item["file"])
    with pytest.raises(BackupError, match="普法活动照片.png"):
        period_import(data=before)
    assert not Evidence.objects.exists()

    default_storage.save(item["file"], ContentFile(stored))
    period_import(data=before)
    (evidence,) = Evidence.objects.all()
    assert (evidence.name, evidence.file.name, evidence.target) == (
        "普法活动照片.png",
        item["file"],
        "fig:publicity_events",
    )


def test_unknown_townships_and_users_are_named(world):
    before = export()
    spoiled = json.loads(json.dumps(before))
    spoiled["reports"][0]["township"] = ["河南省", "沈丘县", "无此镇"]
    spoiled["reports"][0]["status_changes"][0]["actor"] = "ghost"
    spoiled["reports"][0]["history"][0]["history_user"] = "phantom"
    with pytest.raises(BackupError) as refused:
        period_import(data=spoiled, replace=True)
    assert "河南省沈丘县无此镇" in str(refused.value)
    assert "ghost、phantom" in str(refused.value)
    assert content(export()) == content(before)


def test_a_file_that_is_not_json_is_refused(world, tmp_path):
    before = export()
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(before, ensure_ascii=False)[:500], encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        call_command("import_period", str(path), "--replace")
    assert content(export()) == content(before)


# --- the commands ---------------------------------------------------------------------------


def test_commands_write_valid_json_and_read_it_back(world, tmp_path):
    path = tmp_path / "period-2023.json"
    out = StringIO()
    call_command("export_period", "2023", output=str(path), stdout=out)
    assert "4 份报告" in out.getvalue()
    written = json.loads(path.read_text(encoding="utf-8"))
    assert (written["format"], written["version"]) == ("reportportal-period", 1)
    assert written["period"] == {
        "year": 2023,
        "deadline": "2024-02-29",
        "locked": False,
        "evidence_public": False,
    }
    assert len(written["reports"]) == 4
    assert not list(tmp_path.glob("*.partial"))

    to_stdout = StringIO()
    call_command("export_period", "2023", stdout=to_stdout)
    assert content(json.loads(to_stdout.getvalue())) == content(written)

    out = StringIO()
    call_command("import_period", str(path), "--replace", stdout=out)
    assert "已导入 2023 报告年度的 4 份报告" in out.getvalue()
    assert content(export()) == content(written)


def test_export_of_a_missing_period_is_refused(db):
    with pytest.raises(CommandError, match="没有 1999 报告年度"):
        call_command("export_period", "1999")


# --- nothing forgotten ----------------------------------------------------------------------


def test_every_field_and_every_dependent_model_is_exported_or_deliberately_skipped():
    for spec in SPECS:
        columns = {f.name for f in spec.model._meta.concrete_fields}
        assert columns == spec.fields(), spec.model._meta.label
    exported = {spec.model._meta.label_lower for spec in SPECS}
    anchors = {Report, Period, IndicatorSet}
    dependents = {
        model._meta.label_lower
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in anchors
    }
    assert dependents - exported - set(SKIPPED_MODELS) == set()
