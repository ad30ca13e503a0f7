import pytest
from django.core.exceptions import PermissionDenied

from reports.models import Report, ReportStatusChange
from reports.selectors.reports import report_figures
from reports.services.common import ReportError, SubmissionRefused, VersionConflict
from reports.services.drafts import report_save_draft, report_start
from reports.services.transitions import report_submit
from reports.workflow import ReportStatus


def save(report, actor, parts=None, figures=None, version=None):
    return report_save_draft(
        report=report,
        actor=actor,
        base_version=report.version if version is None else version,
        parts=parts or {},
        figures=figures or {},
    )


def test_start_creates_one_report_and_is_idempotent(personas):
    first = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    again = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    assert first.pk == again.pk
    assert first.status == ReportStatus.DRAFT
    assert Report.objects.filter(township=personas.lianchi).count() == 1


def test_start_refused_for_another_township_and_for_reviewer(personas):
    with pytest.raises(PermissionDenied):
        report_start(township=personas.lianchi, period=personas.period, actor=personas.clerk_huatai)
    with pytest.raises(PermissionDenied):
        report_start(
            township=personas.lianchi, period=personas.period, actor=personas.reviewer_shenqiu
        )
    assert not Report.objects.exists()


def test_draft_saves_any_subset_and_bumps_version(draft, personas):
    saved = save(
        draft,
        personas.clerk_lianchi,
        parts={"shortcomings": "执法力量薄弱。\r\n宣传方式传统。"},
        figures={"disputes_mediated": 400, "disputes_resolved": None},
    )
    saved.refresh_from_db()
    assert saved.version == draft.version + 1
    assert saved.shortcomings == "执法力量薄弱。\n宣传方式传统。"
    assert saved.measures_and_results == ""
    assert saved.updated_by == personas.clerk_lianchi
    assert report_figures(saved) == {"disputes_mediated": 400}


def test_clearing_a_figure_makes_it_unknown_not_zero(draft, personas):
    saved = save(draft, personas.clerk_lianchi, figures={"villages_total": 26})
    saved = save(saved, personas.clerk_lianchi, figures={"villages_total": None})
    assert report_figures(saved) == {"villages_total": None}


def test_draft_save_keeps_draft_rules_loose(draft, personas):
    """A draft may break a validation rule; only submission enforces it."""
    saved = save(
        draft, personas.clerk_lianchi, figures={"disputes_mediated": 5, "disputes_resolved": 9}
    )
    assert report_figures(saved) == {"disputes_mediated": 5, "disputes_resolved": 9}


def test_each_save_writes_a_history_row(draft, personas):
    before = draft.history.count()
    save(draft, personas.clerk_lianchi, parts={"other": "无"})
    assert draft.history.count() == before + 1
    assert draft.history.first().history_user == personas.clerk_lianchi


def test_changed_figures_are_updated_together_each_with_a_history_row(draft, personas):
    from reports.models import ReportValue

    first = {"villages_total": 26, "disputes_mediated": 400, "disputes_resolved": 380}
    saved = save(draft, personas.clerk_lianchi, figures=first)
    # Two cleared (one of them the only change of its kind), one changed, one as it was.
    second = {"villages_total": None, "disputes_mediated": None, "disputes_resolved": 390}
    saved = save(saved, personas.clerk_lianchi, figures=second)
    assert report_figures(saved) == second
    changed = ReportValue.history.filter(report_id=draft.pk, history_type="~")
    assert sorted((row.element.code, row.value) for row in changed) == [
        ("disputes_mediated", None),
        ("disputes_resolved", 390),
        ("villages_total", None),
    ]
    assert {row.history_user for row in changed} == {personas.clerk_lianchi}
    # Cleared figures come back, and only what changed is written again.
    saved = save(saved, personas.clerk_lianchi, figures={**second, "villages_total": 27})
    assert report_figures(saved) == {**second, "villages_total": 27}
    assert ReportValue.history.filter(report_id=draft.pk, history_type="~").count() == 4


def test_save_with_older_version_is_refused_and_overwrites_nothing(draft, personas):
    stale_version = draft.version
    first = save(draft, personas.clerk_lianchi, parts={"shortcomings": "甲写的内容"})
    with pytest.raises(VersionConflict) as conflict:
        save(
            draft,
            personas.clerk_lianchi,
            parts={"shortcomings": "乙写的内容"},
            version=stale_version,
        )
    first.refresh_from_db()
    assert first.shortcomings == "甲写的内容"
    assert first.version == stale_version + 1
    assert conflict.value.current.shortcomings == "甲写的内容"
    assert "合并" in str(conflict.value)


def test_other_clerk_and_reviewer_cannot_save(draft, personas):
    for actor in (personas.clerk_huatai, personas.reviewer_shenqiu, personas.admin):
        with pytest.raises(PermissionDenied):
            save(draft, actor, parts={"other": "不该写入"})
    draft.refresh_from_db()
    assert draft.other == ""
    assert draft.version == 1


def test_submit_refuses_missing_required_parts(draft, personas):
    save(draft, personas.clerk_lianchi, parts={"measures_and_results": "有内容", "other": "x"})
    with pytest.raises(SubmissionRefused) as refused:
        report_submit(report=draft, actor=personas.clerk_lianchi)
    assert set(refused.value.errors) == {"shortcomings", "leadership_duty", "next_year_plan"}
    assert "存在的不足和原因" in refused.value.errors["shortcomings"][0]
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    assert not ReportStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("figures", "codes", "words"),
    [
        (
            {"villages_total": 20, "villages_with_legal_advisor": 21},
            {"villages_total", "villages_with_legal_advisor"},
            ("21", "20"),
        ),
        (
            {"disputes_mediated": 90, "disputes_resolved": 91},
            {"disputes_mediated", "disputes_resolved"},
            ("91", "90"),
        ),
        (
            {"admin_lawsuits": 0, "head_appearances": 1},
            {"admin_lawsuits", "head_appearances"},
            ("1", "0"),
        ),
    ],
)
def test_submit_refuses_each_validation_rule_naming_both_figures(
    draft, personas, full_parts, figures, codes, words
):
    save(draft, personas.clerk_lianchi, parts=full_parts, figures=figures)
    with pytest.raises(SubmissionRefused) as refused:
        report_submit(report=draft, actor=personas.clerk_lianchi)
    assert set(refused.value.errors) == codes
    message = next(iter(refused.value.errors.values()))[0]
    assert all(word in message for word in words)
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT


def test_unknown_figures_do_not_break_rules(draft, personas, full_parts):
    save(draft, personas.clerk_lianchi, parts=full_parts, figures={"disputes_resolved": 10})
    submitted = report_submit(report=draft, actor=personas.clerk_lianchi)
    assert submitted.status == ReportStatus.SUBMITTED


def test_submit_records_the_move_and_makes_report_read_only(draft, personas, full_parts):
    saved = save(
        draft,
        personas.clerk_lianchi,
        parts=full_parts,
        figures={"disputes_mediated": 400, "disputes_resolved": 380},
    )
    submitted = report_submit(report=saved, actor=personas.clerk_lianchi)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    assert submitted.submitted_at is not None
    change = ReportStatusChange.objects.get(report=submitted)
    assert (change.from_status, change.to_status, change.actor) == (
        ReportStatus.DRAFT,
        ReportStatus.SUBMITTED,
        personas.clerk_lianchi,
    )
    assert not submitted.is_editable
    with pytest.raises(ReportError):
        save(submitted, personas.clerk_lianchi, parts={"other": "改动"})
    with pytest.raises(ReportError):
        report_submit(report=submitted, actor=personas.clerk_lianchi)
    submitted.refresh_from_db()
    assert submitted.other == ""
    assert ReportStatusChange.objects.count() == 1


def test_locked_period_refuses_edits_and_submission(draft, personas, full_parts):
    saved = save(draft, personas.clerk_lianchi, parts=full_parts)
    personas.period.locked = True
    personas.period.save()
    with pytest.raises(ReportError, match="锁定"):
        save(saved, personas.clerk_lianchi, parts={"other": "x"})
    with pytest.raises(ReportError, match="锁定"):
        report_submit(report=saved, actor=personas.clerk_lianchi)
    saved.refresh_from_db()
    assert saved.status == ReportStatus.DRAFT


def test_submit_by_other_township_clerk_is_refused(draft, personas, full_parts):
    save(draft, personas.clerk_lianchi, parts=full_parts)
    with pytest.raises(PermissionDenied):
        report_submit(report=draft, actor=personas.clerk_huatai)
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
