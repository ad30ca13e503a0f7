"""Data for `manage.py loadtest`: counties of synthetic townships, one clerk per loaded township,
reviewers, last year's sent reports, and this year's open period, reset at every run.

Each county has LOADED townships whose clerks take part in the run and as many again that only
make the county look real: most of them have already sent this year's report (so the review queue
and the ranking are never empty), some have a draft, some have not started.
"""

import datetime
import math
import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from indicators.models import DataElement
from indicators.services import indicator_set_create_default
from org.models import County, Membership, Period
from org.services import membership_assign, roles_ensure_groups
from reports.models import Report, ReportValue
from reports.services.scoring import scores_recompute
from reports.workflow import ReportStatus

from .demo import _create_report, generated_figures, generated_parts

PREFIX = "压测"
PROVINCE = f"{PREFIX}省"
PASSWORD = "loadtest-2024"  # known to the simulated users; this database is for load runs only
LOADED = 10  # clerks (townships taking part) per county
TOWNSHIPS = 20  # townships per county


def clerk_username(index: int) -> str:
    return f"load_clerk_{index:03d}"


def reviewer_username(index: int) -> str:
    return f"load_reviewer_{index:02d}"


def prepare(*, clerks: int, reviewers: int, year: int, stdout) -> dict:
    """Creates what is missing, resets this year's reports, and returns the users to simulate."""
    counties = max(1, math.ceil(clerks / LOADED))
    # Last year's reports, all sent: history for the township and score pages. Re-runs only add
    # what is missing (generate_synthetic skips existing townships and reports).
    call_command(
        "generate_synthetic",
        counties=counties,
        townships=TOWNSHIPS,
        years=[year - 1],
        prefix=PREFIX,
        stdout=stdout,
    )
    last_year = Period.objects.get(year=year - 1)
    indicator_set_create_default(period=last_year)
    if Report.objects.filter(period=last_year, score__isnull=True).exists():
        scores_recompute(period=last_year)  # once: later runs find them scored

    period, _ = Period.objects.get_or_create(
        year=year, defaults={"deadline": timezone.localdate() + datetime.timedelta(days=30)}
    )
    # Open, with the deadline ahead: drafts can be saved and submissions are on time.
    period.deadline = timezone.localdate() + datetime.timedelta(days=30)
    period.locked = False
    period.save(update_fields=["deadline", "locked"])
    indicator_set_create_default(period=period)

    county_list = list(County.objects.filter(province=PROVINCE).order_by("name")[:counties])
    towns = {
        county.pk: list(county.townships.order_by("order", "name")[:TOWNSHIPS])
        for county in county_list
    }
    clerk_specs = _users(county_list, towns, clerks, reviewers)
    reset = _reset_period(period, county_list, towns)
    scores_recompute(period=period)
    # Sessions of earlier runs are of no use; expired ones only grow the table.
    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    # What autovacuum does in production between two busy hours (a server may run without it,
    # as this one may): the rows earlier runs deleted and updated are cleared and the planner
    # counts the rows as they are, so a run does not pay for the runs before it.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    stdout.write(
        f"压测数据：{len(county_list)} 个县 × {TOWNSHIPS} 个乡镇，{clerks} 名填报员、"
        f"{reviewers} 名审核员；{year}年度已重置（删除 {reset['deleted']} 份报告，"
        f"重建 {reset['background']} 份非压测乡镇的报告）。"
    )
    return clerk_specs | {"period": period}


@transaction.atomic
def _users(county_list, towns, clerks: int, reviewers: int) -> dict:
    roles_ensure_groups()
    password = make_password(PASSWORD)  # hashed once: hashing per user is slow

    def account(username: str, name: str) -> User:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = name
        user.password = password
        user.email = f"{username}@example.org"  # reserved domain: mail goes nowhere
        user.is_active = True
        user.save(update_fields=["first_name", "password", "email", "is_active"])
        return user

    clerk_specs = []
    for index in range(clerks):
        county = county_list[index // LOADED]
        township = towns[county.pk][index % LOADED]
        username = clerk_username(index + 1)
        membership_assign(
            user=account(username, f"{township.name}填报员"),
            role=Membership.Role.CLERK,
            township=township,
        )
        clerk_specs.append({"username": username, "township": township})
    reviewer_specs = []
    for index in range(reviewers):
        county = county_list[index % len(county_list)]
        username = reviewer_username(index + 1)
        membership_assign(
            user=account(username, f"{county.name}审核员"),
            role=Membership.Role.REVIEWER,
            county=county,
        )
        reviewer_specs.append({"username": username, "county": county})
    return {"clerks": clerk_specs, "reviewers": reviewer_specs}


@transaction.atomic
def _reset_period(period: Period, county_list, towns) -> dict:
    """Deletes this year's reports of the load counties (and their history rows), then gives the
    townships without a simulated clerk the same mix of sent, draft and missing reports again."""
    reports = Report.objects.filter(period=period, township__county__in=county_list)
    ids = list(reports.values_list("pk", flat=True))
    reports.delete()
    # django-simple-history keeps rows (with a deletion row added just now) after the delete.
    Report.history.model.objects.filter(id__in=ids).delete()
    ReportValue.history.model.objects.filter(report_id__in=ids).delete()

    elements = list(DataElement.objects.filter(active=True))
    codes = [e.code for e in elements]
    background = 0
    for county in county_list:
        for township in towns[county.pk][LOADED:]:
            # Seeded per township: every run starts from the same county picture.
            rng = random.Random(f"load-{township.pk}-{period.year}")
            roll = rng.random()
            if roll < 0.15:
                continue  # not started
            status = ReportStatus.DRAFT if roll < 0.3 else ReportStatus.SUBMITTED
            figures = generated_figures(rng, codes)
            _create_report(
                township=township,
                period=period,
                parts=generated_parts(township, period.year, figures),
                figures=figures,
                status=status,
                clerk=None,
                # Sent in the last three days: on time, and not in the future.
                submitted_at=timezone.now() - datetime.timedelta(minutes=rng.randint(10, 4320))
                if status == ReportStatus.SUBMITTED
                else None,
                elements=elements,
            )
            background += 1
    return {"deleted": len(ids), "background": background}
