"""The county's pages keep their tables in the cache, keyed on reports.selectors.stamps: each
change a reviewer must see shows at once (the same client, the cache warm)."""

import datetime

import pytest
from django.urls import reverse

from reports.services.transitions import report_return, report_withdraw
from tests.factories import TownshipFactory
from tests.helpers import submit_report


@pytest.fixture
def sent(personas, full_parts):
    return submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures={"villages_total": 26, "villages_with_legal_advisor": 26},
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
    report_return(report=sent, actor=personas.reviewer_shenqiu, reason="请补充数据来源。")
    assert "badge status-returned" in client.get(url).content.decode()


def test_the_county_dashboard_follows_moves_townships_and_the_day(client, personas, sent):
    client.force_login(personas.reviewer_shenqiu)
    url = reverse("county_home") + "?year=2023"
    before = client.get(url).content.decode()
    assert "badge status-submitted" in before
    report_withdraw(report=sent, actor=personas.clerk_lianchi)
    after = client.get(url).content.decode()
    assert "badge status-submitted" not in after and "badge status-draft" in after
    assert client.get(url).context["today"] == datetime.date.today()
    TownshipFactory(county=personas.shenqiu, name="新设街道")  # the admin adds a township
    assert "新设街道" in client.get(url).content.decode()


def test_the_county_medians_follow_the_sent_reports(personas, draft, full_parts):
    """The medians are cached on the county's stamp: a report sent or withdrawn moves them."""
    from indicators.plausibility import MEDIAN_MIN_PEERS
    from org.models import Membership
    from org.services import membership_assign
    from reports.selectors.plausibility import figure_plausibility
    from tests.factories import UserFactory

    def median():
        return figure_plausibility(draft)["disputes_mediated"].flag.median_per_village

    assert median() is None  # no peers yet: and now in the cache
    peers = []
    for index in range(MEDIAN_MIN_PEERS):
        township = TownshipFactory(county=personas.shenqiu, name=f"同县第{index}镇")
        clerk = UserFactory(username=f"peer{index}")
        membership_assign(user=clerk, role=Membership.Role.CLERK, township=township)
        peers.append(
            (
                submit_report(
                    township=township,
                    period=personas.period,
                    clerk=clerk,
                    parts=full_parts,
                    figures={"villages_total": 10, "disputes_mediated": 20},
                ),
                clerk,
            )
        )
    assert median() == 2
    report, clerk = peers[0]
    report_withdraw(report=report, actor=clerk)
    assert median() is None
