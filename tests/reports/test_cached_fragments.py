"""The county's pages keep their tables in the cache, keyed on reports.selectors.stamps: each
change a reviewer must see shows at once (the same client, the cache warm)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import DataElement
from org.models import Membership, Period, Township
from org.services import membership_assign
from reportportal.fragments import CSRF_SLOT
from reports.forms import figure_field_name
from reports.models import Evidence, FigureCheck, Report, ReportScore, ReportValue, ReviewComment
from reports.services.comments import comment_add, comment_resolve
from reports.services.drafts import report_save_draft, report_start
from reports.services.reminders import reminder_policy_update
from reports.services.transitions import (
    report_approve,
    report_publish,
    report_reopen,
    report_return,
    report_submit,
    report_withdraw,
)
from tests.factories import TownshipFactory, UserFactory
from tests.helpers import submit_report


def township_with_clerk(personas, name: str, username: str) -> tuple[Township, User]:
    """Another township of 沈丘县, with its clerk."""
    township = TownshipFactory(county=personas.shenqiu, name=name)
    clerk = UserFactory(username=username)
    membership_assign(user=clerk, role=Membership.Role.CLERK, township=township)
    return township, clerk


def submit_peer(personas, township: Township, clerk: User, parts: dict) -> Report:
    """A report sent by another township of the county: 20 disputes mediated over 10 villages,
    2 a village (what the medians of the tests below come to)."""
    return submit_report(
        township=township,
        period=personas.period,
        clerk=clerk,
        parts=parts,
        figures={"villages_total": 10, "disputes_mediated": 20},
    )


def ranking_html(client) -> str:
    return client.get(reverse("ranking") + "?year=2023").content.decode()


def lianchi_row(html: str) -> str:
    start = html.index("莲池镇", html.index("<tbody>"))
    return html[start : html.index("</tr>", start)]


def test_the_ranking_follows_scores_moves_and_the_deadline(client, personas, sent):
    personas.period.deadline = datetime.date(2099, 1, 1)
    personas.period.save(update_fields=["deadline"])
    client.force_login(personas.reviewer_shenqiu)
    first = lianchi_row(ranking_html(client))
    assert "填写中" not in first and "迟报" not in first
    assert lianchi_row(ranking_html(client)) == first  # served from the cache

    report_withdraw(report=sent, actor=personas.clerk_lianchi)  # a move of the workflow
    assert "填写中" in lianchi_row(ranking_html(client))

    sent.refresh_from_db()
    submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts={},
        figures={"villages_with_legal_advisor": 0},  # a lower score
    )
    resent = lianchi_row(ranking_html(client))
    assert "填写中" not in resent and resent != first

    personas.period.deadline = datetime.date(2000, 1, 1)  # the admin moves the deadline
    personas.period.save(update_fields=["deadline"])
    assert "迟报" in lianchi_row(ranking_html(client))


def test_a_return_shows_on_the_queue(client, personas, sent):
    client.force_login(personas.reviewer_shenqiu)
    url = reverse("review_queue") + "?year=2023&status=sent"
    assert "badge status-returned" not in client.get(url).content.decode()
    waiting = reverse("review_queue") + "?year=2023"
    assert "待审核的报告（1）" in client.get(waiting).content.decode()
    report_return(report=sent, actor=personas.reviewer_shenqiu, reason="请补充数据来源。")
    assert "badge status-returned" in client.get(url).content.decode()
    assert "待审核的报告（0）" in client.get(waiting).content.decode()  # counted again


def test_the_county_dashboard_follows_moves_townships_and_the_day(
    client, personas, sent, monkeypatch
):
    client.force_login(personas.reviewer_shenqiu)
    url = reverse("county_home") + "?year=2023"
    before = client.get(url).content.decode()
    assert "badge status-submitted" in before
    report_withdraw(report=sent, actor=personas.clerk_lianchi)
    after = client.get(url).content.decode()
    assert "badge status-submitted" not in after and "badge status-draft" in after
    days_left = (personas.period.deadline - timezone.localdate()).days
    assert f"{abs(days_left)} 天" in after and f"{abs(days_left - 1)} 天" not in after
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert f"{abs(days_left - 1)} 天" in client.get(url).content.decode()
    TownshipFactory(county=personas.shenqiu, name="新设街道")  # the admin adds a township
    assert "新设街道" in client.get(url).content.decode()


def test_the_county_medians_follow_the_sent_reports(personas, draft, full_parts):
    """The medians are cached on the stamp of the county's sent reports: a report sent or
    withdrawn moves them."""
    from indicators.plausibility import MEDIAN_MIN_PEERS
    from reports.selectors.plausibility import figure_plausibility

    def median():
        return figure_plausibility(draft)["disputes_mediated"].flag.median_per_village

    assert median() is None  # no peers yet: and now in the cache
    peers = []
    for index in range(MEDIAN_MIN_PEERS):
        township, clerk = township_with_clerk(personas, f"同县第{index}镇", f"peer{index}")
        peers.append((submit_peer(personas, township, clerk, full_parts), clerk))
    assert median() == 2
    report, clerk = peers[0]
    report_withdraw(report=report, actor=clerk)
    assert median() is None


def test_a_figure_retired_while_the_page_is_kept_leaves_no_slot_behind(
    client, personas, draft, full_parts
):
    """The kept body has a slot for each figure's note; when the notes are drawn again (a report
    sent in the county) after a data item was retired in the admin, its slot shows nothing."""
    client.force_login(personas.clerk_lianchi)
    url = reverse("report_edit", args=[draft.pk])
    assert "form" in client.get(url).context
    DataElement.objects.filter(code="disputes_mediated").update(active=False)
    township, clerk = township_with_clerk(personas, "同县邻镇", "neighbour")
    submit_report(
        township=township, period=personas.period, clerk=clerk, parts=full_parts, figures={}
    )
    response = client.get(url)
    assert "form" not in response.context  # the body kept, the notes drawn again
    html = response.content.decode()
    assert "live-slot" not in html and 'id="figure-disputes_mediated"' in html


def test_the_drafts_of_a_county_share_its_medians(personas, draft):
    """Every report not sent has all the county's sent reports for peers: the medians are
    worked out once for the county, not once for each township's draft."""
    from reportportal.db import prepared_name
    from reports.selectors.plausibility import _PEER_FIGURES_SQL, figure_plausibility

    def median_reads(report) -> int:
        with CaptureQueriesContext(connection) as queries:
            figure_plausibility(report)
        name = prepared_name(_PEER_FIGURES_SQL)
        return sum(name in q["sql"] for q in queries.captured_queries)

    township, clerk = township_with_clerk(personas, "同县另一镇", "another")
    neighbour = report_start(township=township, period=personas.period, actor=clerk)
    assert median_reads(draft) == 1
    assert median_reads(neighbour) == 0  # the county's, from the cache


# --- one report's pages: the body is cached on reports.selectors.stamps.report_page_key --------

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)"')


def page(client, name: str, report) -> str:
    """The page without its CSRF tokens, which are masked anew on every request."""
    html = client.get(reverse(name, args=[report.pk])).content.decode()
    return TOKEN.sub(r'\1"', html)


def test_the_review_page_follows_what_is_done_to_the_report(client, personas, sent):
    client.force_login(personas.reviewer_shenqiu)
    first = page(client, "report_review", sent)
    assert page(client, "report_review", sent) == first  # served from the cache
    comment = comment_add(
        report=sent, actor=personas.reviewer_shenqiu, target="shortcomings", body="请写具体。"
    )
    assert "请写具体。" in page(client, "report_review", sent)
    comment_resolve(comment=comment, actor=personas.reviewer_shenqiu)
    assert 'badge bg-success">已解决' in page(client, "report_review", sent)
    # Written straight to the tables, as the admin or a background job would, without any
    # service that might remember to bump a version.
    Township.objects.filter(pk=personas.lianchi.pk).update(name="莲池街道")
    assert "莲池街道" in page(client, "report_review", sent)
    ReportValue.objects.filter(report=sent, element__code="villages_total").update(value=31)
    assert re.search(r'id="figure-villages_total">.*?>31 ', page(client, "report_review", sent))
    Report.objects.filter(pk=sent.pk).update(shortcomings="改过的不足之处。")
    assert "改过的不足之处。" in page(client, "report_review", sent)


def test_the_buttons_follow_the_status(client, personas, sent):
    client.force_login(personas.reviewer_shenqiu)
    assert 'name="body"' in page(client, "report_review", sent)  # may comment
    report_approve(report=sent, actor=personas.reviewer_shenqiu)
    assert 'name="body"' not in page(client, "report_review", sent)  # approved: no more comments


def test_a_cached_page_carries_each_session_its_own_csrf_token(personas, sent):
    """The body drawn for one session and served to another must hold the second session's
    token: a comment posted from it is taken."""
    first = Client(enforce_csrf_checks=True)
    first.force_login(personas.reviewer_shenqiu)
    first.get(reverse("report_review", args=[sent.pk]))
    second = Client(enforce_csrf_checks=True)
    second.force_login(personas.reviewer_shenqiu)
    html = second.get(reverse("report_review", args=[sent.pk])).content.decode()
    assert CSRF_SLOT not in html
    token = TOKEN.search(html).group(2)
    response = second.post(
        reverse("comment_create", args=[sent.pk]),
        {"target": "other", "body": "第二个会话的意见。", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert ReviewComment.objects.filter(body="第二个会话的意见。").exists()


def test_the_edit_page_shows_what_was_saved_and_says_so_once(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    before = page(client, "report_edit", draft)
    assert page(client, "report_edit", draft) == before
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        {"version": draft.version, "measures_and_results": "今年新写的措施。", "save": "1"},
    )
    assert response.status_code == 302
    after = client.get(reverse("report_edit", args=[draft.pk]))
    saved = TOKEN.sub(r'\1"', after.content.decode())
    assert "今年新写的措施。" in saved and saved.count('id="saved-note"') == 1
    assert "form" in after.context  # drawn: the save moved the report's stamp
    again = client.get(reverse("report_edit", args=[draft.pk]))
    # The page drawn after the save is the one kept: the next visit finds it, without the note.
    assert "form" not in again.context
    kept = TOKEN.sub(r'\1"', again.content.decode())
    assert "今年新写的措施。" in kept and 'id="saved-note"' not in kept
    note = (
        '<span class="small text-success ms-2 fw-semibold" role="status" id="saved-note">'
        "✓ 草稿已保存。</span>"
    )
    assert note in saved
    assert report_form(kept) == report_form(saved.replace(note, ""))


def report_form(html: str) -> str:
    start = html.index('<form method="post" novalidate id="report-form"')
    return html[start : html.index("</form>", start)]


def test_the_edit_page_follows_the_countys_medians_and_keeps_its_body(
    client, personas, draft, full_parts
):
    """The notes under the figures compare with the county's medians: reports sent in the county
    show in them at once, while the rest of the page stays in the cache; a neighbour's draft
    saved changes nothing."""
    from indicators.plausibility import MEDIAN_MIN_PEERS

    report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts=full_parts,
        figures={"villages_total": 10, "disputes_mediated": 200},
    )
    peers = []
    for index in range(MEDIAN_MIN_PEERS):
        township, clerk = township_with_clerk(personas, f"同县邻镇{index}", f"neighbour{index}")
        peers.append((township, clerk))
    client.force_login(personas.clerk_lianchi)

    def edit():
        response = client.get(reverse("report_edit", args=[draft.pk]))
        return "form" in response.context, TOKEN.sub(r'\1"', response.content.decode())

    drawn, first = edit()
    assert drawn and "全县中位数" not in first
    assert edit() == (False, first)  # the body from the cache

    township, clerk = peers[0]
    neighbour = report_start(township=township, period=personas.period, actor=clerk)
    report_save_draft(
        report=neighbour,
        actor=clerk,
        base_version=neighbour.version,
        parts=full_parts,
        figures={"villages_total": 12},
    )
    assert edit() == (False, first)

    for township, clerk in peers:
        submit_peer(personas, township, clerk, full_parts)
    drawn, now = edit()
    assert not drawn  # the body is still the one in the cache …
    assert "全县中位数每村 2" in report_form(now)  # … with the notes drawn on the medians
    assert 'id="figcheck-disputes_mediated"' in now  # and the form of its 「标记已核实」


def test_the_edit_page_keeps_what_was_typed_when_it_is_refused(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    page(client, "report_edit", draft)  # the stored report in the cache
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        {
            "version": draft.version,
            "measures_and_results": "没保存的字。",
            figure_field_name("villages_total"): "x",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "没保存的字。" in html and "data-unsaved" in html
    assert "没保存的字。" not in page(client, "report_edit", draft)


def test_the_score_page_follows_the_stored_score(client, personas, sent):
    client.force_login(personas.reviewer_shenqiu)
    assert "12.3" not in page(client, "report_score", sent)
    ReportScore.objects.filter(report=sent).update(total=Decimal("12.3"))  # a recomputation
    assert "12.3" in page(client, "report_score", sent)


def test_the_clerks_home_follows_the_townships_reports_and_periods(client, personas, sent):
    client.force_login(personas.clerk_lianchi)
    url = reverse("township_home")
    first = TOKEN.sub(r'\1"', client.get(url).content.decode())
    assert "继续填写" not in first
    assert TOKEN.sub(r'\1"', client.get(url).content.decode()) == first  # from the cache
    report_return(report=sent, actor=personas.reviewer_shenqiu, reason="请补充数据来源。")
    html = client.get(url).content.decode()
    assert "继续填写" in html and "请补充数据来源。" in html
    Period.objects.filter(pk=personas.period.pk).update(deadline=datetime.date(2099, 12, 31))
    assert "2099年12月31日" in client.get(url).content.decode()
    Township.objects.filter(pk=personas.lianchi.pk).update(name="莲池街道")
    assert "莲池街道" in client.get(url).content.decode()


def test_the_county_dashboard_follows_its_reminders_and_the_lock(client, personas, sent):
    client.force_login(personas.reviewer_shenqiu)
    url = reverse("county_home") + "?year=2023"
    html = client.get(url).content.decode()
    assert "截止前第 3 天" not in html and 'badge bg-dark">已锁定' not in html
    reminder_policy_update(
        county=personas.shenqiu,
        actor=personas.reviewer_shenqiu,
        active=True,
        days_before="3",
        every_days_after=0,
    )
    assert "截止前第 3 天" in client.get(url).content.decode()
    Period.objects.filter(pk=personas.period.pk).update(locked=True)  # the admin locks the year
    assert 'badge bg-dark">已锁定' in client.get(url).content.decode()


def test_the_queue_sends_back_to_the_address_it_was_asked_at(client, personas, sent):
    client.force_login(personas.reviewer_shenqiu)
    for asked in ("?year=2023&from=a", "?year=2023&from=b"):  # the same list, kept once
        html = client.get(reverse("review_queue") + asked).content.decode()
        assert f'name="next" value="{reverse("review_queue")}{asked.replace("&", "&amp;")}"' in html
    assert "莲池镇" in html


def test_the_public_list_follows_publishing_and_withdrawal(personas, sent):
    """The public list is cached for every reader: a report published or withdrawn (reopened)
    shows at once, and a warm page reads the stamp and nothing else."""
    reader = Client()
    url = reverse("public_index")

    def listed() -> bool:
        return "莲池镇2023年度法治政府建设情况报告" in reader.get(url).content.decode()

    assert not listed()
    with CaptureQueriesContext(connection) as captured:
        assert not listed()  # served from the cache
    assert len(captured) == 1
    report_approve(report=sent, actor=personas.reviewer_shenqiu)
    report_publish(report=sent, actor=personas.reviewer_shenqiu)
    assert listed()
    assert listed()
    report_reopen(report=sent, actor=personas.admin, reason="发现数据错误")
    assert not listed()


TALLY_COLUMNS = (
    *("counties", "townships", "not_started", "draft"),
    *("submitted", "returned", "approved", "published"),
)


def overview_total(client, query: str = "") -> dict[str, int]:
    """The 合计 row of the admin's overview, as the page shows it."""
    html = client.get(reverse("admin_home") + "?year=2023" + query).content.decode()
    foot = html[html.index("<tfoot") : html.index("</tfoot>")]
    cells = map(int, re.findall(r'class="text-end">(\d+)</td>', foot))
    return dict(zip(TALLY_COLUMNS, cells, strict=True))


def test_the_admin_overview_follows_moves_new_reports_townships_and_periods(client, personas, sent):
    """The overview's body is cached on the workflow stamp: a move, a report started, a township
    added or the period changed anywhere shows at once."""
    client.force_login(personas.admin)
    country, henan = overview_total(client), overview_total(client, "&province=河南省")
    assert (country["submitted"], country["draft"], henan["submitted"]) == (1, 0, 1)
    with CaptureQueriesContext(connection) as captured:
        assert overview_total(client)["submitted"] == 1
    assert not any("GROUP BY" in query["sql"] for query in captured)  # from the cache
    report_withdraw(report=sent, actor=personas.clerk_lianchi)
    now = overview_total(client)
    assert (now["submitted"], now["draft"]) == (0, 1)
    assert overview_total(client, "&province=河南省")["draft"] == 1
    report_start(township=personas.huatai, period=personas.period, actor=personas.clerk_huatai)
    assert overview_total(client)["draft"] == 2
    TownshipFactory(county=personas.shenqiu, name="新设街道")
    assert overview_total(client)["townships"] == country["townships"] + 1
    assert overview_total(client, "&province=河南省")["townships"] == henan["townships"] + 1
    # Written straight to the table, as the admin would: the deadline moved, the year locked.
    Period.objects.filter(pk=personas.period.pk).update(
        deadline=datetime.date(2099, 12, 31), locked=True
    )
    html = client.get(reverse("admin_home") + "?year=2023").content.decode()
    assert "2099年12月31日" in html and "已锁定" in html


def test_a_public_report_shows_its_newest_publication(personas, sent):
    """The article is cached on a digest of the rows it shows: reopened, corrected and published
    again, or a name changed straight in the tables, it shows at once."""
    reviewer, reader = personas.reviewer_shenqiu, Client()
    report_approve(report=sent, actor=reviewer)
    report_publish(report=sent, actor=reviewer)
    url = reverse("public_report", args=[sent.pk])

    def article() -> str:
        html = reader.get(url).content.decode()
        return html[html.index("<article") : html.index("</article>")]

    first = article()
    assert "全年调解矛盾纠纷400余件" in first and "26 个" in first
    with CaptureQueriesContext(connection) as captured:
        assert article() == first
    assert len(captured) == 1  # the report; the article from the cache
    report = report_reopen(report=sent, actor=personas.admin, reason="数据有误")
    assert reader.get(url).status_code == 404
    report = report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=report.version,
        parts={"measures_and_results": "全年调解矛盾纠纷500余件。"},
        figures={"villages_total": 27},
    )
    report = report_submit(report=report, actor=personas.clerk_lianchi)
    report_approve(report=report, actor=reviewer)
    report_publish(report=report, actor=reviewer)
    again = article()
    assert "全年调解矛盾纠纷500余件" in again and "27 个" in again
    # Written straight to the tables, as the admin would: a township and a data item renamed.
    Township.objects.filter(pk=personas.lianchi.pk).update(name="莲池街道")
    assert "莲池街道" in article()
    DataElement.objects.filter(code="villages_total").update(unit="村")
    assert "27 村" in article()


def test_without_postgresql_the_pages_are_drawn_afresh(client, personas, sent, monkeypatch):
    """The stamps are PostgreSQL's; on the demo's SQLite every part is drawn for its request."""
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    client.force_login(personas.reviewer_shenqiu)
    for _ in range(2):
        response = client.get(reverse("report_review", args=[sent.pk]))
        assert response.status_code == 200
        assert "parts" in response.context  # the body's own context: it was drawn, not found
    client.force_login(personas.clerk_lianchi)
    assert "rows" in client.get(reverse("township_home")).context
    assert "rows" in client.get(reverse("township_home")).context


@pytest.mark.parametrize("name", ["report_review", "report_score", "report_detail"])
def test_a_page_from_the_cache_does_not_read_the_report_text(client, personas, sent, name):
    client.force_login(personas.reviewer_shenqiu)
    url = reverse(name, args=[sent.pk])

    def text_reads() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return sum('"measures_and_results"' in q["sql"] for q in queries.captured_queries)

    assert text_reads() > 0  # drawn: the parts are read
    assert text_reads() == 0  # from the cache: no report's text at all


def test_the_report_page_follows_moves_and_edits(client, personas, sent):
    client.force_login(personas.clerk_lianchi)
    first = page(client, "report_detail", sent)
    assert page(client, "report_detail", sent) == first  # served from the cache
    report_withdraw(report=sent, actor=personas.clerk_lianchi)
    withdrawn = page(client, "report_detail", sent)
    assert withdrawn != first and "badge status-draft" in withdrawn
    Report.objects.filter(pk=sent.pk).update(shortcomings="直接改过的不足。")
    assert "直接改过的不足。" in page(client, "report_detail", sent)


def test_a_drawn_page_asks_for_comments_evidence_and_checks_only_when_the_report_has_some(
    client, personas, draft
):
    """The report's stamp, read before the page is drawn, says which of these the report has
    none of; the page does not ask again for those (reports.selectors.stamps.report_has)."""
    client.force_login(personas.clerk_lianchi)
    url = reverse("report_edit", args=[draft.pk])
    tables = ('"reports_reviewcomment"', '"reports_evidence"', '"reports_figurecheck"')

    def drawn() -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        asked = [t for t in tables if any(t in q["sql"] for q in captured.captured_queries)]
        return html, asked

    html, asked = drawn()
    assert asked == []
    assert "佐证材料</a>" in html and "已核实" not in html

    report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts={},
        figures={"villages_total": 26},
    )
    ReviewComment.objects.create(
        report=draft,
        target="fig:villages_total",
        author=personas.reviewer_shenqiu,
        body="请说明村数。",
        round=1,
    )
    Evidence.objects.create(
        report=draft,
        target="fig:villages_total",
        file="evidence/x.pdf",
        name="台账.pdf",
        kind=Evidence.Kind.PDF,
        size=10,
        uploaded_by=personas.clerk_lianchi,
    )
    # A check of the figure as it stands (it shows beside a figure marked 「请核实」 only).
    FigureCheck.objects.create(
        report=draft,
        element=DataElement.objects.get(code="villages_total"),
        value=26,
        note="已与台账核对。",
        checked_by=personas.clerk_lianchi,
    )
    html, asked = drawn()
    assert sorted(asked) == sorted(tables)
    assert "请说明村数。" in html
    assert "佐证材料（1）" in html


def test_the_slots_are_filled_in_one_pass(rf, monkeypatch):
    """Each live value goes where its slot is, and is not searched for slots again but for the
    token (a value the view drew may hold a form); a slot given no value shows nothing; the token
    is this request's."""
    from django.template import engines
    from django.utils.safestring import mark_safe

    from reportportal import fragments

    source = "<p>{{ a }}|{{ b }}|{{ gone }}|{% csrf_token %}</p>"
    monkeypatch.setattr(
        fragments,
        "render_to_string",
        lambda name, context, request=None: (
            engines["django"]
            .from_string(source)
            .render(context | {"gone": fragments.live_slot("gone")}, request)
        ),
    )
    request = rf.get("/")
    html = fragments.cached_fragment(
        request,
        template="inline",
        key=(),
        context=dict,
        seconds=1,
        store=False,
        live={"a": fragments.live_slot("b"), "b": mark_safe(f"<i>{CSRF_SLOT}</i>")},
    )
    token = re.search(r'value="([^"]+)"', html).group(1)
    assert html == (
        f"<p>{fragments.live_slot('b')}|<i>{token}</i>||"
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}"></p>'
    )
    assert CSRF_SLOT not in token and len(token) == 64


def test_a_page_masks_its_token_once_and_again_after_a_new_secret(client, personas, draft, rf):
    """The cached body's forms and the frame's (log-out, htmx header) carry one token, masked
    once for the request; a rotated secret (a log-in) is masked afresh."""
    from django.middleware.csrf import _unmask_cipher_token, rotate_token

    from reportportal.fragments import request_csrf_token

    client.force_login(personas.clerk_lianchi)
    for _visit in range(2):  # drawn, then from the cache
        html = client.get(reverse("report_edit", args=[draft.pk])).content.decode()
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        tokens |= set(re.findall(r'"X-CSRFToken": "([^"]+)"', html))
        assert len(tokens) == 1 and len(next(iter(tokens))) == 64
        assert html.count('name="csrfmiddlewaretoken"') >= 2  # the body's forms and log-out

    request = rf.get("/")
    first = request_csrf_token(request)
    assert request_csrf_token(request) == first
    rotate_token(request)
    second = request_csrf_token(request)
    assert second != first
    assert _unmask_cipher_token(second) == request.META["CSRF_COOKIE"]
    assert _unmask_cipher_token(first) != request.META["CSRF_COOKIE"]
