from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from reports.models import County, Membership, Period, Township
from reports.permissions import membership_of
from reports.selectors import current_period, get_report_for_user

from . import selectors
from .charts import totals_chart


@login_required
@require_safe
def ranking(request):
    membership = membership_of(request.user)
    if membership is None or membership.role == Membership.Role.CLERK:
        raise PermissionDenied("只有县级审核员和管理员可以查看排名。")
    counties = County.objects.order_by("province", "city", "name")
    if membership.role == Membership.Role.REVIEWER:
        county = membership.county
    else:
        county_id = request.GET.get("county", "")
        county = (
            get_object_or_404(County, pk=int(county_id))
            if county_id.isdigit()
            else counties.first()
        )
    year = request.GET.get("year", "")
    period = get_object_or_404(Period, year=int(year)) if year.isdigit() else current_period()
    sort = request.GET.get("sort", "total")
    descending = request.GET.get("dir", "desc") != "asc"
    result = (
        selectors.county_ranking(county=county, period=period, sort=sort, descending=descending)
        if county and period
        else None
    )
    return render(
        request,
        "indicators/ranking.html",
        {
            "county": county,
            "counties": counties if membership.role == Membership.Role.ADMIN else None,
            "period": period,
            "periods": Period.objects.order_by("-year"),
            "ranking": result,
            "sort": sort,
            "descending": descending,
            "chart": totals_chart(result, county, period) if result else None,
        },
    )


@login_required
@require_safe
def report_score(request, pk: int):
    report = get_report_for_user(request.user, pk)
    score, items = selectors.report_score(report)
    return render(
        request, "indicators/report_score.html", {"report": report, "score": score, "items": items}
    )


@login_required
@require_safe
def township_scores(request, pk: int):
    township = get_object_or_404(Township.objects.select_related("county"), pk=pk)
    membership = membership_of(request.user)
    allowed = membership is not None and (
        membership.role == Membership.Role.ADMIN
        or (membership.role == Membership.Role.CLERK and membership.township_id == township.pk)
        or (
            membership.role == Membership.Role.REVIEWER
            and membership.county_id == township.county_id
        )
    )
    if not allowed:
        raise Http404
    return render(
        request,
        "indicators/township_scores.html",
        {"township": township, "history": selectors.township_history(township)},
    )
