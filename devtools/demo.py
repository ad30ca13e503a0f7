"""Demo and synthetic data: the sample reports, generated townships' reports, and demo users.

Generated reports are plausible (required parts written, figures consistent with the validation
rules) so that county pages and benchmarks see realistic rows.
"""

import json
import random
from datetime import datetime, time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from indicators.models import DataElement
from indicators.services import indicator_set_create_default
from org.models import City, County, Membership, Period, Township
from org.services import membership_assign, roles_ensure_groups
from reading.completeness import missing_parts
from reading.sections import SECTION_KEYS
from reports.models import Report, ReportSnapshot, ReportStatusChange, ReportValue
from reports.similarity import report_similarities_compute
from reports.workflow import ReportStatus

from .report_texts import generated_figures, part_texts

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FIXTURE_FILES = [
    "org_units.json",
    "periods.json",
    "data_elements.json",
    "data_element_synonyms.json",
]

HEAD_TITLES: dict[str, str] = {
    Township.Kind.XIANG: "乡长",
    Township.Kind.MINZU_XIANG: "乡长",
    Township.Kind.ZHEN: "镇长",
    Township.Kind.JIEDAO: "街道办事处主任",
}


def load_fixtures(stdout=None) -> None:
    from django.core.management import call_command

    for name in FIXTURE_FILES:
        call_command("loaddata", str(FIXTURES / name), verbosity=0)
    for period in Period.objects.all():
        indicator_set_create_default(period=period)
    if stdout:
        stdout.write(
            "已载入基础数据：县、乡镇（街道）、报告年度、数据项、各年度默认指标体系和校验规则。"
        )


def generated_parts(township: Township, year: int, figures: dict) -> dict[str, str]:
    return part_texts(
        name=township.name, head=HEAD_TITLES[township.kind], year=year, figures=figures
    )


def sample_parts(spec: dict) -> dict[str, str]:
    lines = (FIXTURES / "samples" / spec["file"]).read_text(encoding="utf-8").splitlines()
    parts = {}
    for key, ranges in spec["parts"].items():
        chosen = [line.strip() for start, end in ranges for line in lines[start - 1 : end]]
        text = "\n".join(line for line in chosen if line)
        parts[key] = text.replace("[bookmark: _GoBack]", "")
    return parts


def deadline_moment(period: Period, days_before: int) -> datetime:
    day = period.deadline.toordinal() - days_before
    return timezone.make_aware(
        datetime.combine(datetime.fromordinal(day).date(), time(10, 30)),
        timezone.get_default_timezone(),
    )


@transaction.atomic
def create_demo_users(spec: dict) -> list[tuple[str, str, str]]:
    """Demo users with one password; returns (username, role, place) for the printed list."""
    roles_ensure_groups()
    password = make_password(spec["password"])  # hashed once: hashing per user is slow
    created = []

    def user(username: str, name: str) -> User:
        account, _ = User.objects.get_or_create(username=username)
        account.first_name = name
        account.password = password
        account.email = f"{username}@example.org"  # reserved domain: demo mail goes nowhere
        account.save(update_fields=["first_name", "password", "email"])
        return account

    admin = user(spec["admin"]["username"], spec["admin"]["name"])
    membership_assign(user=admin, role=Membership.Role.ADMIN)
    created.append((admin.username, "系统管理员", "全部"))
    # 三员分立: accounts and roles, and the audit log, are other administrators' work.
    for key, role in (("security", Membership.Role.SECURITY), ("auditor", Membership.Role.AUDITOR)):
        account = user(spec[key]["username"], spec[key]["name"])
        membership_assign(user=account, role=role)
        created.append((account.username, role.label, "全部"))
    for item in spec["reviewers"]:
        county = County.objects.get_by_natural_key(*item["county"])
        membership_assign(
            user=user(item["username"], item["name"]),
            role=Membership.Role.REVIEWER,
            county=county,
        )
        created.append((item["username"], "县级审核员", county.name))
    for item in spec.get("city_reviewers", []):
        province, name = item["city"]
        city, _ = City.objects.get_or_create(province=province, name=name)
        membership_assign(
            user=user(item["username"], item["name"]), role=Membership.Role.CITY_REVIEWER, city=city
        )
        created.append((item["username"], "市级审核员", city.name))
    named = {}
    for item in spec["clerks"]:
        township = Township.objects.get_by_natural_key(*item["township"])
        named[township.pk] = item["username"]
        membership_assign(
            user=user(item["username"], item["name"]), role=Membership.Role.CLERK, township=township
        )
        created.append((item["username"], "乡镇填报员", f"{township.county}{township}"))
    for county_name, prefix in spec["other_clerks_prefix"].items():
        townships = Township.objects.filter(county__name=county_name).order_by("order", "name")
        for index, township in enumerate(townships, start=1):
            if township.pk in named:
                continue
            membership_assign(
                user=user(f"{prefix}{index:02d}", f"{township.name}填报员"),
                role=Membership.Role.CLERK,
                township=township,
            )
    return created


@transaction.atomic
def create_demo_reports(spec: list[dict], counties: list[County], seed: int = 2024) -> int:
    """The sample reports as drafts, and generated reports for the other townships; idempotent."""
    elements = list(DataElement.objects.filter(active=True))
    codes = [e.code for e in elements]
    periods = list(Period.objects.order_by("year"))
    created = 0
    samples = {}
    for item in spec:
        province, county_name = item["county"]
        township = Township.objects.get_by_natural_key(province, county_name, item["township"])
        samples[(township.pk, item["year"])] = item

    copies: list[tuple[Township, Period]] = []
    clerks = {
        m.township_id: m.user
        for m in Membership.objects.filter(role=Membership.Role.CLERK).select_related("user")
    }
    for township in (
        Township.objects.filter(county__in=counties).select_related("county").order_by("order")
    ):
        for period in periods:
            if Report.objects.filter(township=township, period=period).exists():
                continue
            # Seeded per township and year, so a second run skips the same "not started" ones.
            rng = random.Random(f"{seed}-{township.county.name}-{township.name}-{period.year}")
            sample = samples.get((township.pk, period.year))
            clerk = clerks.get(township.pk)
            copied_from = _copy_source(township, period, spec)
            if sample:
                parts, figures, status = sample_parts(sample), sample["figures"], ReportStatus.DRAFT
            elif copied_from:
                figures = generated_figures(rng, codes)
                parts = dict(generated_parts(township, period.year, figures))
                parts.update(_copied_parts(copied_from, township))
                status = ReportStatus.SUBMITTED
                copies.append((township, period))
            else:
                # Older years are mostly sent; the newest still has drafts and townships not started.
                roll = rng.random()
                newest = period == periods[-1]
                if roll < (0.2 if newest else 0.03):
                    continue
                status = (
                    ReportStatus.DRAFT
                    if roll < (0.5 if newest else 0.1)
                    else ReportStatus.SUBMITTED
                )
                figures = generated_figures(rng, codes)
                parts = generated_parts(township, period.year, figures)
            _create_report(
                township=township,
                period=period,
                parts=parts,
                figures=figures,
                status=status,
                clerk=clerk,
                submitted_at=deadline_moment(period, rng.randint(-5, 30))
                if status == ReportStatus.SUBMITTED
                else None,
                elements=elements,
            )
            created += 1
    # Only the planted copy is indexed: the generated reports share one template, so indexing
    # them would flag every one. When 莲池镇 submits its 2023 sample, the check finds the copy.
    for township, period in copies:
        report_similarities_compute(report=Report.objects.get(township=township, period=period))
    return created


# A township of the demo whose 2023 report reuses 莲池镇's paragraphs, as real reports do.
COPY = {"county": "沈丘县", "township": "冯营镇", "year": 2023, "source": "lianchi-2023.txt"}


def _copy_source(township: Township, period: Period, spec: list[dict]) -> dict | None:
    if (township.county.name, township.name, period.year) != (
        COPY["county"],
        COPY["township"],
        COPY["year"],
    ):
        return None
    return next((item for item in spec if item["file"] == COPY["source"]), None)


def _copied_parts(source: dict, township: Township) -> dict[str, str]:
    """The source's measures and leadership parts with the names and a few figures changed."""
    parts = sample_parts(source)
    replaced = {}
    for key in ("measures_and_results", "leadership_duty"):
        text = parts[key].replace(source["township"], township.name)
        replaced[key] = text.replace("26个行政村", "31个行政村").replace("400余件", "350余件")
    return replaced


def _create_report(*, township, period, parts, figures, status, clerk, submitted_at, elements):
    report = Report.objects.create(
        township=township,
        period=period,
        status=status,
        updated_by=clerk,
        submitted_at=submitted_at,
        missing_parts=missing_parts(parts),
        **{key: parts.get(key, "") for key in SECTION_KEYS},
    )
    by_code = {e.code: e for e in elements}
    ReportValue.objects.bulk_create(
        ReportValue(report=report, element=by_code[code], value=value)
        for code, value in figures.items()
        if code in by_code and value is not None
    )
    if status == ReportStatus.SUBMITTED:
        ReportSnapshot.objects.create(
            report=report,
            round=1,
            parts={key: parts.get(key, "") for key in SECTION_KEYS},
            figures={code: value for code, value in figures.items() if value is not None},
            submitted_at=submitted_at,
        )
    if status == ReportStatus.SUBMITTED and clerk:
        change = ReportStatusChange.objects.create(
            report=report,
            from_status=ReportStatus.DRAFT,
            to_status=ReportStatus.SUBMITTED,
            actor=clerk,
        )
        ReportStatusChange.objects.filter(pk=change.pk).update(at=submitted_at)


def load_demo_spec() -> dict:
    return json.loads((FIXTURES / "demo_reports.json").read_text(encoding="utf-8"))
