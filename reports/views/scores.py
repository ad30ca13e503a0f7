"""Scores: the county's ranking, one report's breakdown, a township's scores over the years."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from indicators.charts import totals_chart
from org.access import (
    Page,
    county_in_view,
    may_view_township,
    sees_drafts_of,
)
from org.params import optional_id, period_from_query, place_from_query
from org.selectors import county_chooser, periods, township_or_none
from reportportal.fragments import cached_fragment
from reportportal.types import AuthedRequest

from ..selectors.reports import get_report_for_user, with_texts
from ..selectors.scores import county_ranking, township_history
from ..selectors.scores import report_score as score_of
from ..selectors.stamps import FRAGMENT_SECONDS, county_page_key
from .report import report_page


@login_required
@require_safe
def ranking(request: AuthedRequest) -> HttpResponse:
    try:
        county = county_in_view(
            request.user,
            Page.RANKING,
            optional_id(request.GET, "county", "县（市、区）"),
            **place_from_query(request.GET),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    period = period_from_query(request)
    sort = request.GET.get("sort", "total")[:50]
    descending = request.GET.get("dir", "desc") != "asc"

    def context() -> dict[str, object]:
        result = chart = None
        if county and period:
            result = county_ranking(county=county, period=period, sort=sort, descending=descending)
            chart = totals_chart(result, county, period)
        return {
            "county": county,
            "counties": county_chooser(request.user, county),
            "period": period,
            "periods": periods(),
            "ranking": result,
            "sort": sort,
            "descending": descending,
            "chart": chart,
        }

    body = cached_fragment(
        request,
        template="reports/partials/ranking_body.html",
        key=county_page_key(request.user, county, period, sort, descending) if county else (),
        context=context,
        seconds=FRAGMENT_SECONDS,
        store=county is not None and period is not None,
    )
    return render(
        request, "reports/ranking.html", {"county": county, "period": period, "body": body}
    )


@login_required
@require_safe
def report_score(request: AuthedRequest, pk: int) -> HttpResponse:
    report, can = get_report_for_user(request.user, pk, texts=False)

    def context() -> dict[str, object]:
        score, items = score_of(with_texts(report))
        return {"report": report, "score": score, "items": items}

    return report_page(request, report, can, page="report_score", context=context)


@login_required
@require_safe
def township_scores(request: AuthedRequest, pk: int) -> HttpResponse:
    township = township_or_none(pk)
    if township is None or not may_view_township(request.user, township):
        raise Http404
    return render(
        request,
        "reports/township_scores.html",
        {
            "township": township,
            "history": township_history(township),
            "sees_drafts": sees_drafts_of(request.user, township),
        },
    )
