"""The hot pages read through statements compiled once (reportportal.db.FixedQuery, prepared
statements): drawn a second time, with nothing of them in the cache, they make the ORM compose no
SQL at all. Composing a query costs Python more than PostgreSQL takes to answer it."""

import pytest
from django.core.cache import cache
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse

from reports.models import Report
from reports.services.comments import comment_add, comment_answer
from reports.services.transitions import report_return, report_submit


@pytest.fixture
def composed(monkeypatch):
    """The SELECTs the ORM composes while the block runs (a spy: the queries still run)."""
    seen: list[str] = []
    compose = SQLCompiler.as_sql

    def spy(self, *args, **kwargs):
        sql, params = compose(self, *args, **kwargs)
        # Django's own session store, read from the database when the cache lost it.
        if "django_session" not in sql:
            seen.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", spy)
    return seen


@pytest.fixture
def resent(personas, returned):
    """The returned report sent again: a timeline, two rounds, threads with an answer."""
    report_submit(report=returned, actor=personas.clerk_lianchi)
    return returned


@pytest.mark.parametrize(
    ("who", "name", "by_report"),
    [
        ("reviewer_shenqiu", "report_review", True),
        ("reviewer_shenqiu", "report_score", True),
        ("clerk_lianchi", "report_detail", True),
        ("clerk_lianchi", "report_score", True),
        ("reviewer_shenqiu", "county_home", False),
        ("reviewer_shenqiu", "ranking", False),
        ("clerk_lianchi", "township_home", False),
        ("clerk_lianchi", "report_evidence", True),
        ("reviewer_shenqiu", "review_queue", False),
    ],
)
def test_a_page_drawn_again_composes_no_query(
    client, personas, resent, composed, who, name, by_report
):
    client.force_login(getattr(personas, who))
    url = reverse(name, args=[resent.pk] if by_report else [])
    for _visit in range(2):  # the first compiles each statement once for this thread
        cache.clear()
        composed.clear()
        page = client.get(url)
        assert page.status_code == 200
    assert composed == []


def test_the_spy_sees_what_the_orm_composes(db, composed):
    list(Report.objects.filter(status="draft"))
    assert len(composed) == 1 and "reports_report" in composed[0]


def test_a_thread_shows_its_answers_read_with_it(client, personas, resent, composed):
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[resent.pk])).content.decode()
    thread = page[page.index("请补充原因。") :]
    assert (
        "已补充人员不足的原因。" in thread[: thread.index("</ul>") if "</ul>" in thread else None]
    )
    assert not [sql for sql in composed if "reports_reviewcomment" in sql]


def test_the_township_history_composes_no_query(client, personas, resent, composed):
    client.force_login(personas.clerk_lianchi)
    url = reverse("township_scores", args=[personas.lianchi.pk])
    client.get(url)
    composed.clear()
    page = client.get(url)
    assert page.status_code == 200 and "历年得分" in page.content.decode()
    assert composed == []


def test_a_withdrawal_composes_no_query(client, personas, sent, composed):
    report = sent
    client.force_login(personas.clerk_lianchi)
    url = reverse("report_act", args=[report.pk, "withdraw"])
    assert client.post(url).status_code == 302
    report_submit(report=report, actor=personas.clerk_lianchi)
    composed.clear()
    assert client.post(url).status_code == 302
    assert [sql for sql in composed if sql.startswith("SELECT")] == []
    report.refresh_from_db()
    assert report.status == "draft"


@pytest.fixture
def returned(personas, sent):
    """莲池镇's report sent back with a comment on a part and one on a figure, one answered."""
    report = sent
    comment = comment_add(
        report=report, actor=personas.reviewer_shenqiu, target="shortcomings", body="请补充原因。"
    )
    comment_add(
        report=report,
        actor=personas.reviewer_shenqiu,
        target="fig:villages_total",
        body="请核对村数。",
    )
    report_return(report=report, actor=personas.reviewer_shenqiu, reason="请按意见修改。")
    comment_answer(comment=comment, actor=personas.clerk_lianchi, body="已补充人员不足的原因。")
    return report


@pytest.mark.parametrize("name", ["report_edit", "report_detail"])
def test_a_returned_reports_pages_compose_no_query(client, personas, returned, composed, name):
    client.force_login(personas.clerk_lianchi)
    url = reverse(name, args=[returned.pk])
    for _visit in range(2):
        cache.clear()
        composed.clear()
        page = client.get(url)
        assert page.status_code == 200
    html = page.content.decode()
    assert "请按意见修改。" in html and "已补充人员不足的原因。" in html
    assert composed == []
