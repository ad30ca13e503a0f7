"""Permission matrix: every URL of the portal × every role × GET, POST and PUT.

The URL names come from the URL configuration itself (``get_resolver()``, includes followed), so a
page nobody declared here fails ``test_every_url_is_in_the_matrix``. Only the Django admin's own URLs
under /admin/ are left out; ``test_admin_site_*`` checks that only staff admins get in.

Roles, as DOMAIN.md's roles table gives them (places from fixtures/org_units.json):

- ``anonymous``: public, published reports only;
- ``clerk_lianchi``: 乡镇填报员 of 莲池镇 (沈丘县), whose reports the world below is made of;
- ``clerk_fengying``: clerk of 冯营镇, another township of the same county (so a refusal here is the
  township check, not the county one);
- ``clerk_huatai``: clerk of 花台乡 (巫溪县), another county;
- ``reviewer_shenqiu``: 县级审核员 of 沈丘县: every township of the county, drafts excepted;
- ``reviewer_wuxi``: reviewer of 巫溪县, another county;
- ``admin``: 管理员, everything;
- ``no_role``: signed in but without a membership (a user whose role was taken away).

Every (route, role, method) is one test. Each states the status (200; 302 and where to; 302 to the
log-in page; 403 wrong role; 404 not theirs; 405 wrong method). A request that is refused, and every
request declared without an effect, must leave the database exactly as it was (every table of the
project's apps plus auth and admin: ``database_state``) and queue nothing to run after the commit
(e-mails, export jobs). A request with an effect must have it. A 200 HTML page must not show the text
of a report the role may not read (each report's text carries a marker; ``may_read`` restates the
roles table independently of reports/permissions.py).

The world (莲池镇's reports in every state, a draft of 冯营镇, a submitted report of 花台乡 stored as
similar to 莲池镇's, a reviewer's comment, a finished export job) is built once for the module inside
a transaction rolled back at the end; each test runs in a savepoint rolled back after it, signed in
with a session made once per role.

To add a URL: append a ``Route`` to ``ROUTES`` with its name, how to fill its kwargs from the world,
the POST data if any, and what each role gets for GET, POST and PUT. ``roles(default, role=...)``
gives every role the default unless named, ``signed_in(...)`` the same for a @login_required view
(anonymous: to the log-in page); ``post=``/``put=`` left out mean a read-only page (405 once signed in,
``require_safe``); ``post_only(...)`` is for views behind ``require_POST``. An allowed write
gets ``redirect(target, effect=...)`` with a check that the write happened. Add a variant (a second
``Route`` with the same name and another ``variant``) when the answer depends on the object, e.g. a
draft and a submitted report; new objects go into ``build_world``. A pattern without a name (and
without parameters) is declared by its path, e.g. ``Route("/favicon.ico", "", ...)``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from devtools.demo import load_fixtures
from exports.models import ExportJob
from indicators.models import DataElement
from indicators.services import indicator_set_create_default
from org.models import (
    AccountSecurity,
    AuditEvent,
    City,
    County,
    Membership,
    Period,
    Township,
    UserSession,
)
from org.services import membership_assign
from reading.extract import extract
from reports.models import (
    Evidence,
    ImportJob,
    Notice,
    ReminderPolicy,
    Report,
    ReportSimilarity,
    ReviewComment,
)
from reports.services.comments import comment_add
from reports.services.drafts import report_save_draft, report_start
from reports.services.evidence import evidence_add
from reports.services.transitions import (
    report_approve,
    report_publish,
    report_return,
    report_submit,
)
from reports.similarity import report_similarities_compute
from reports.workflow import ReportStatus
from tests.conftest import FULL_PARTS
from tests.factories import PeriodFactory, UserFactory

ROLES = (
    "anonymous",
    "clerk_lianchi",
    "clerk_fengying",
    "clerk_huatai",
    "reviewer_shenqiu",
    "reviewer_wuxi",
    "reviewer_zhoukou",
    "admin",
    "security",
    "auditor",
    "no_role",
)
CLERKS = ("clerk_lianchi", "clerk_fengying", "clerk_huatai")
REVIEWERS = ("reviewer_shenqiu", "reviewer_wuxi")
METHODS = ("GET", "POST", "PUT")

# 莲池镇 has one report per period, one in each state; EMPTY_YEAR is a period nobody has started.
YEAR_OF = {"draft": 2024, "submitted": 2023, "returned": 2022, "approved": 2021, "published": 2020}
EMPTY_YEAR = 2019
FIGURES = {
    "villages_total": 20,
    "villages_with_legal_advisor": 18,
    "disputes_mediated": 120,
    "disputes_resolved": 110,
    "leadership_study_sessions": 4,
}


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    lianchi: Township
    fengying: Township
    huatai: Township
    shenqiu: County
    reports: dict[str, Report]  # 莲池镇's, by state; plus "fengying_draft" and "huatai_submitted"
    comment: ReviewComment  # the reviewer's comment on 莲池镇's returned report
    job: ExportJob  # 沈丘县's summary, asked for by the reviewer of 沈丘县, done
    import_job: ImportJob  # a long document read for 莲池镇's draft by its clerk, done
    notice: Notice  # an unread notice of the clerk of 莲池镇
    evidence: dict[str, Evidence]  # a PDF on 调解成功件数 of 莲池镇's draft, submitted, published
    markers: dict[int, str] = field(default_factory=dict)  # report pk → text only it contains
    sessions: dict[str, str] = field(default_factory=dict)  # role → session key, signed in once

    def sign_in(self, client, role: str) -> User | None:
        """The client becomes the role's user (anonymous: stays signed out)."""
        if role in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return self.users[role]

    def report(self, key: str) -> Report:
        return self.reports[key]


# Shared by every report of the world, long enough for the copied-passage check to pair them.
STOCK_TEXT = (
    "全年深入学习贯彻习近平法治思想，认真落实法治政府建设各项任务，健全依法决策机制，"
    "严格规范公正文明执法，全年调解矛盾纠纷400余件，开展普法宣传活动30余场次，"
    "村（社区）法律顾问实现全覆盖，基层治理法治化水平不断提升。"
)


# One word per report, no two alike (the copied-passage check matches near-identical text).
MARKERS = {
    "draft": "Amethyst",
    "submitted": "Bergamot",
    "returned": "Cinnabar",
    "approved": "Dolomite",
    "published": "Eucalypt",
    "fengying_draft": "Fuchsine",
    "huatai_submitted": "Gardenia",
}


def marked_parts(marker: str) -> dict[str, str]:
    """Complete parts whose 存在的不足 carries the report's marker (text no other report has)."""
    return {
        **FULL_PARTS,
        "measures_and_results": STOCK_TEXT,
        "shortcomings": f"执法力量薄弱。{marker}",
    }


def build_world() -> World:
    if not DataElement.objects.exists():
        load_fixtures()
    for year in (2019, 2020, 2021):
        indicator_set_create_default(period=PeriodFactory(year=year))

    lianchi = Township.objects.get(name="莲池镇")
    fengying = Township.objects.get(name="冯营镇", county=lianchi.county)
    huatai = Township.objects.get(name="花台乡")
    shenqiu, wuxi = lianchi.county, huatai.county
    assert (shenqiu.name, wuxi.name) == ("沈丘县", "巫溪县")

    def person(role_key, role=None, **place):
        user = UserFactory(username=f"matrix_{role_key}")
        if role:
            membership_assign(user=user, role=role, **place)
        return user

    users = {
        "anonymous": None,
        "clerk_lianchi": person("clerk_lianchi", Membership.Role.CLERK, township=lianchi),
        "clerk_fengying": person("clerk_fengying", Membership.Role.CLERK, township=fengying),
        "clerk_huatai": person("clerk_huatai", Membership.Role.CLERK, township=huatai),
        "reviewer_shenqiu": person("reviewer_shenqiu", Membership.Role.REVIEWER, county=shenqiu),
        "reviewer_wuxi": person("reviewer_wuxi", Membership.Role.REVIEWER, county=wuxi),
        # 市级审核员 of 周口市, the city of 沈丘县: reads and ranks, approves nothing.
        "reviewer_zhoukou": person(
            "reviewer_zhoukou",
            Membership.Role.CITY_REVIEWER,
            city=City.objects.get_or_create(province=shenqiu.province, name=shenqiu.city)[0],
        ),
        "admin": person("admin", Membership.Role.ADMIN),
        "security": person("security", Membership.Role.SECURITY),
        "auditor": person("auditor", Membership.Role.AUDITOR),
        "no_role": person("no_role"),
    }
    reviewer, admin = users["reviewer_shenqiu"], users["admin"]

    markers: dict[int, str] = {}

    def report(township, year, clerk, key):
        marker = MARKERS[key]
        started = report_start(township=township, period=Period.objects.get(year=year), actor=clerk)
        saved = report_save_draft(
            report=started,
            actor=clerk,
            base_version=started.version,
            parts=marked_parts(marker),
            figures=FIGURES,
        )
        markers[saved.pk] = marker
        return saved

    clerk = users["clerk_lianchi"]
    reports = {state: report(lianchi, year, clerk, state) for state, year in YEAR_OF.items()}
    evidence = {
        key: evidence_add(
            report=reports[key], actor=clerk, target=EVIDENCE_TARGET, upload=evidence_file()
        )
        for key in ("draft", "submitted", "published")
    }
    for state in ("submitted", "returned", "approved", "published"):
        reports[state] = report_submit(report=reports[state], actor=clerk)
    comment = comment_add(
        report=reports["returned"], actor=reviewer, target="shortcomings", body="请细化原因。"
    )
    report_return(report=reports["returned"], actor=reviewer, reason="请补充原因分析。")
    for state in ("approved", "published"):
        report_approve(report=reports[state], actor=reviewer)
    report_publish(report=reports["published"], actor=admin)

    reports["fengying_draft"] = report(fengying, 2023, users["clerk_fengying"], "fengying_draft")
    huatai_report = report(huatai, 2023, users["clerk_huatai"], "huatai_submitted")
    reports["huatai_submitted"] = report_submit(report=huatai_report, actor=users["clerk_huatai"])

    # The stored comparisons, as the job after a submission makes them (it runs after the
    # commit, which never comes here): 莲池镇's and 花台乡's 2023 reports share STOCK_TEXT.
    for key in ("huatai_submitted", "submitted"):
        report_similarities_compute(report=reports[key])
    pair = {"report": reports["submitted"], "other": reports["huatai_submitted"]}
    assert ReportSimilarity.objects.filter(**pair).exists()
    assert ReportSimilarity.objects.filter(report=pair["other"], other=pair["report"]).exists()

    job = ExportJob.objects.create(
        kind=ExportJob.Kind.COUNTY,
        period=reports["submitted"].period,
        county=shenqiu,
        requested_by=reviewer,
        status=ExportJob.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    job.file.save("summary.pdf", ContentFile(b"%PDF-1.4 matrix test file\n"), save=True)

    import_job = ImportJob.objects.create(
        report=reports["draft"],
        requested_by=clerk,
        name="报告.txt",
        status=ImportJob.Status.DONE,
        result=extract(f"一、存在的不足和原因\n{STOCK_TEXT}").to_json(),
    )

    # The clerk of 花台乡 has a session on record, a lock-out and an authenticator: what the
    # security administrator ends, lifts and resets.
    UserSession.objects.create(user=users["clerk_huatai"], session_key="matrix-huatai")
    AccessAttempt.objects.create(
        username=users["clerk_huatai"].username,
        ip_address="127.0.0.1",
        user_agent="matrix",
        failures_since_start=9,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    TOTPDevice.objects.create(user=users["clerk_huatai"], name="matrix", confirmed=True)

    notice = Notice.objects.create(
        user=clerk, kind=Notice.Kind.REMINDER, title="请尽快报送", link="/township/"
    )

    for report_ in reports.values():
        report_.refresh_from_db()
    expected = {key: key for key in YEAR_OF} | {
        "fengying_draft": "draft",
        "huatai_submitted": "submitted",
    }
    assert {key: r.status for key, r in reports.items()} == expected
    sessions = {}
    for role, user in users.items():
        if user is not None:
            signed_in_client = Client()
            signed_in_client.force_login(user)
            sessions[role] = signed_in_client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(
        sessions=sessions,
        users=users,
        lianchi=lianchi,
        fengying=fengying,
        huatai=huatai,
        shenqiu=shenqiu,
        reports=reports,
        comment=comment,
        job=job,
        import_job=import_job,
        notice=notice,
        evidence=evidence,
        markers=markers,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, inside a transaction that is rolled back when the module is done."""
    overrides = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("matrix_media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    overrides.enable()
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            overrides.disable()
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    overrides.disable()


def may_read(role: str, world: World, report: Report) -> bool:
    """DOMAIN.md's roles table, written out apart from reports/permissions.py."""
    if report.status == ReportStatus.PUBLISHED:
        return True
    if role == "admin":
        return True
    if role in CLERKS:
        return world.users[role].membership.township_id == report.township_id
    if role in REVIEWERS:
        county_id = world.users[role].membership.county_id
        return report.township.county_id == county_id and report.status != ReportStatus.DRAFT
    if role == "reviewer_zhoukou":
        city = world.users[role].membership.city
        county = report.township.county
        return (county.province, county.city) == (
            city.province,
            city.name,
        ) and report.status != ReportStatus.DRAFT
    return False


# --- what the database holds --------------------------------------------------------------------


@cache
def watched_models() -> tuple:
    """Every model of the project's own apps (new apps included), plus auth and admin; not the
    security audit log, which records refusals too (tests/org/test_audit.py checks it)."""
    base = Path(settings.BASE_DIR).resolve()
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower == "org.auditevent":
            continue
        config = model._meta.app_config
        path = Path(config.path).resolve()
        local = path.is_relative_to(base) and not any(
            part.startswith(".") or part == "site-packages" for part in path.relative_to(base).parts
        )
        if local or config.label in ("auth", "admin"):
            chosen.append(model)
    return tuple(chosen)


def database_state() -> dict[str, tuple]:
    """Every watched table's rows (all columns): equal before and after means nothing changed.

    On PostgreSQL (the test database of scripts/test.sh) a row count and an md5 of the rows per
    table, in one query; elsewhere the rows themselves.
    """
    models = watched_models()
    if connection.vendor != "postgresql":
        return {
            model._meta.db_table: tuple(
                model._base_manager.order_by("pk").values_list(
                    *[f.attname for f in model._meta.concrete_fields]
                )
            )
            for model in models
        }
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s, count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f"FROM {quote(model._meta.db_table)} t"
        for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.db_table for model in models])
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def describe_changes(before: dict, after: dict) -> str:
    return "\n".join(
        f"  {table}: {before[table]!r:.200} -> {after[table]!r:.200}"
        for table in sorted(before)
        if before[table] != after[table]
    )


# --- expectations -------------------------------------------------------------------------------

Target = Callable[[World, User | None], str]
Effect = Callable[[World, User | None, list], bool]


@dataclass(frozen=True)
class Expect:
    status: int
    to: Target | None = None  # for 301/302: where to (None with 302 = the log-in page)
    effect: Effect | None = None  # None: the database must not change and nothing is queued

    def __repr__(self):
        return f"{self.status}{' with effect' if self.effect else ''}"


OK = Expect(200)
LOGIN = Expect(302)
FORBIDDEN = Expect(403)
NOT_FOUND = Expect(404)
NOT_ALLOWED = Expect(405)


def redirect(to: Target, effect: Effect | None = None, *, status: int = 302) -> Expect:
    return Expect(status, to=to, effect=effect)


def roles(default: Expect, **by_role: Expect) -> dict[str, Expect]:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}; roles are {ROLES}"
    return {role: by_role.get(role, default) for role in ROLES}


def signed_in(default: Expect, **by_role: Expect) -> dict[str, Expect]:
    """A @login_required page: anonymous users go to the log-in page, whatever the method."""
    return roles(default, anonymous=LOGIN, **by_role)


# For a form page whose POST answers as its GET does (e.g. a read-only report sends everyone to
# its page either way).
AS_GET: dict[str, Expect] = {}


@dataclass(frozen=True)
class Route:
    name: str
    variant: str
    get: dict[str, Expect]
    post: dict[str, Expect] | None = None  # None: a read-only page, 405 (after log-in)
    put: dict[str, Expect] | None = None  # None: a read-only page, 405 (after log-in)
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] = lambda w: {}

    def url(self, world: World) -> str:
        if self.name.startswith("/"):  # an unnamed pattern, declared by its path
            return self.name
        url = reverse(self.name, kwargs=self.kwargs(world))
        assert resolve(url).view_name == self.name, url
        return url

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def expect(self, role: str, method: str) -> Expect:
        table = {"GET": self.get, "POST": self.post, "PUT": self.put}[method]
        if table is AS_GET:
            return self.get[role]
        if table is None:
            # Read-only pages take GET and HEAD only (@require_safe, inside @login_required).
            return LOGIN if self.get[role] == LOGIN else NOT_ALLOWED
        return table[role]


def post_only(name, variant="", *, post, kwargs=lambda w: {}, data=lambda w: {}) -> Route:
    """A @login_required @require_POST view: GET and PUT are 405 once signed in."""
    refused = signed_in(NOT_ALLOWED)
    return Route(name, variant, get=refused, post=post, put=refused, kwargs=kwargs, data=data)


EVIDENCE_TARGET = "fig:disputes_resolved"


def evidence_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("调解台账.pdf", b"%PDF-1.4 matrix evidence\n")


def evidence_of(key: str) -> Callable[[World], dict]:
    return lambda w: {"pk": w.evidence[key].pk}


def evidence_added(key: str) -> Effect:
    return lambda w, user, queued: Evidence.objects.filter(report=w.report(key)).count() == 2


def pk_of(key: str) -> Callable[[World], dict]:
    return lambda w: {"pk": w.report(key).pk}


def page(name: str, key: str | None = None, suffix: str = "") -> Target:
    """The path of a named page, for a report of the world (by key) when given."""
    return lambda w, user: reverse(name, args=[w.report(key).pk] if key else []) + suffix


def status_becomes(key: str, status: str) -> Effect:
    return lambda w, user, queued: Report.objects.get(pk=w.report(key).pk).status == status


def new_report_of(user: User, year: int) -> Report:
    return Report.objects.get(township_id=user.membership.township_id, period__year=year)


def started(year: int) -> Expect:
    return redirect(
        lambda w, user: reverse("report_edit", args=[new_report_of(user, year).pk]),
        effect=lambda w, user, queued: new_report_of(user, year).status == ReportStatus.DRAFT,
    )


def new_job_of(world: World, user: User) -> ExportJob:
    return ExportJob.objects.exclude(pk=world.job.pk).get(requested_by=user)


EXPORT_STARTED = redirect(
    lambda w, user: reverse("export_detail", args=[new_job_of(w, user).pk]),
    effect=lambda w, user, queued: new_job_of(w, user).status == ExportJob.Status.QUEUED,
)


def edit_form(key: str, **overrides) -> Callable[[World], dict]:
    def data(w: World) -> dict:
        report = w.report(key)
        form = {"version": report.version, **marked_parts(w.markers[report.pk]), "save": ""}
        form.update({f"fig_{code}": value for code, value in FIGURES.items()})
        form.update(overrides)
        return form

    return data


def draft_saved(key: str) -> Effect:
    def effect(w, user, queued):
        report = Report.objects.get(pk=w.report(key).pk)
        return report.version == w.report(key).version + 1 and report.other == "矩阵测试补充。"

    return effect


def comment_added(w, user, queued):
    return ReviewComment.objects.filter(
        report=w.report("submitted"), author=user, body="请补充具体数字。"
    ).exists()


def answer_added(w, user, queued):
    return ReviewComment.objects.filter(parent=w.comment, author=user, body="已补充。").exists()


def comment_resolved(w, user, queued):
    return ReviewComment.objects.get(pk=w.comment.pk).resolved_by == user


def reminder_queued(w, user, queued):
    return len(queued) == 1


def policy_saved(role: str) -> Effect:
    def effect(w, user, queued):
        return ReminderPolicy.objects.filter(
            county_id=w.users[role].membership.county_id, days_before="7,1"
        ).exists()

    return effect


def notice_was_read(w, user, queued):
    return Notice.objects.get(pk=w.notice.pk).read_at is not None


def must_change(role: str) -> Effect:
    def effect(w, user, queued):
        return AccountSecurity.objects.filter(
            user=w.users[role], must_change_password=True
        ).exists()

    return effect


def sessions_ended(w, user, queued):
    return not UserSession.objects.filter(user=w.users["clerk_huatai"]).exists()


def unlocked(w, user, queued):
    return not AccessAttempt.objects.filter(username=w.users["clerk_huatai"].username).exists()


def devices_removed(w, user, queued):
    return not TOTPDevice.objects.filter(user=w.users["clerk_huatai"]).exists()


def exported(w, user, queued):
    return AuditEvent.objects.filter(username=user.username, event="export").exists()


def device_pending(w, user, queued):
    return TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def deactivated(role: str) -> Effect:
    return lambda w, user, queued: not User.objects.get(pk=w.users[role].pk).is_active


def imported(key: str) -> Effect:
    def effect(w, user, queued):
        return Report.objects.get(pk=w.report(key).pk).other == "导入的其他情况。"

    return effect


def import_form(key: str) -> Callable[[World], dict]:
    return lambda w: {
        "version": w.report(key).version,
        "part_other": "导入的其他情况。",
        "use_other": "replace",
    }


def similar(key: str, other: str, **by_role: Expect) -> Route:
    """The side-by-side page of a stored pair (@require_GET); the review page links to it."""
    refused = signed_in(NOT_ALLOWED)
    return Route(
        "report_similar",
        f"{key}-{other}",
        get=signed_in(NOT_FOUND, **by_role),
        post=refused,
        put=refused,
        kwargs=lambda w: {"pk": w.report(key).pk, "other_pk": w.report(other).pk},
    )


# The city reviewer of 周口市 reads what 沈丘县 was sent, and acts on none of it.
ANY_REPORT_READER = signed_in(
    NOT_FOUND, clerk_lianchi=OK, reviewer_shenqiu=OK, reviewer_zhoukou=OK, admin=OK
)
DRAFT_READER = signed_in(NOT_FOUND, clerk_lianchi=OK, admin=OK)
HOME = redirect(page("home"))
TO_LOGIN = redirect(page("login"))
THREAD = "#thread-shortcomings"  # the comments are on the 存在的不足 part


def act(state: str, action: str, **by_role: Expect) -> Route:
    return post_only(
        "report_act",
        f"{state}-{action}",
        post=signed_in(NOT_FOUND, **by_role),
        kwargs=lambda w: {"pk": w.report(state).pk, "action": action},
        data=lambda w: {"note": "矩阵测试理由。"},
    )


ROUTES: list[Route] = [
    # --- log-in and home ---
    Route(
        "login",
        "",
        get=roles(HOME, anonymous=OK),
        # A wrong password shows the form again (a form view takes PUT as POST).
        post=roles(HOME, anonymous=OK),
        put=roles(HOME, anonymous=OK),
        data=lambda w: {"username": "matrix_clerk_lianchi", "password": "wrong"},
    ),
    Route(
        "logout",
        "",
        get=roles(NOT_ALLOWED),
        post=roles(TO_LOGIN),
        put=roles(NOT_ALLOWED),
    ),
    Route(
        "home",
        "",
        get=signed_in(
            FORBIDDEN,  # no_role: the 无权访问 page
            **dict.fromkeys(CLERKS, redirect(page("township_home"))),
            **dict.fromkeys(REVIEWERS, redirect(page("county_home"))),
            reviewer_zhoukou=redirect(page("county_home")),
            security=redirect(page("people")),
            auditor=redirect(page("audit_log")),
            admin=redirect(page("admin_home")),
        ),
    ),
    Route("township_home", "", get=signed_in(FORBIDDEN, **dict.fromkeys(CLERKS, OK))),
    # --- a clerk's report ---
    post_only(
        "report_start",
        "period_not_started",
        post=signed_in(FORBIDDEN, **dict.fromkeys(CLERKS, started(EMPTY_YEAR))),
        kwargs=lambda w: {"year": EMPTY_YEAR},
    ),
    post_only(
        "report_start",
        "lianchi_has_a_draft",
        post=signed_in(
            FORBIDDEN,
            clerk_lianchi=redirect(page("report_edit", "draft")),
            clerk_fengying=started(YEAR_OF["draft"]),
            clerk_huatai=started(YEAR_OF["draft"]),
        ),
        kwargs=lambda w: {"year": YEAR_OF["draft"]},
    ),
    Route("report_detail", "draft", get=DRAFT_READER, kwargs=pk_of("draft")),
    Route("report_detail", "submitted", get=ANY_REPORT_READER, kwargs=pk_of("submitted")),
    Route(
        "report_edit",
        "draft",
        get=signed_in(NOT_FOUND, clerk_lianchi=OK, admin=redirect(page("report_detail", "draft"))),
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(page("report_edit", "draft"), effect=draft_saved("draft")),
            admin=redirect(page("report_detail", "draft")),
        ),
        put=signed_in(NOT_ALLOWED),
        kwargs=pk_of("draft"),
        data=edit_form("draft", other="矩阵测试补充。"),
    ),
    Route(
        "report_edit",
        "returned",
        get=signed_in(
            NOT_FOUND,
            clerk_lianchi=OK,
            reviewer_shenqiu=redirect(page("report_detail", "returned")),
            reviewer_zhoukou=redirect(page("report_detail", "returned")),
            admin=redirect(page("report_detail", "returned")),
        ),
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(page("report_edit", "returned"), effect=draft_saved("returned")),
            reviewer_shenqiu=redirect(page("report_detail", "returned")),
            reviewer_zhoukou=redirect(page("report_detail", "returned")),
            admin=redirect(page("report_detail", "returned")),
        ),
        put=signed_in(NOT_ALLOWED),
        kwargs=pk_of("returned"),
        data=edit_form("returned", other="矩阵测试补充。"),
    ),
    Route(
        "report_edit",
        "submitted",
        # Sent reports are read-only: everyone who may read it is sent to the report page.
        get=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(page("report_detail", "submitted")),
            reviewer_shenqiu=redirect(page("report_detail", "submitted")),
            reviewer_zhoukou=redirect(page("report_detail", "submitted")),
            admin=redirect(page("report_detail", "submitted")),
        ),
        post=AS_GET,
        put=signed_in(NOT_ALLOWED),
        kwargs=pk_of("submitted"),
        data=edit_form("submitted", other="矩阵测试补充。"),
    ),
    # --- 佐证材料 (tests/reports/test_evidence.py) ---
    Route(
        "report_evidence",
        "draft",
        get=DRAFT_READER,
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(
                page("report_evidence", "draft", f"#ev-{EVIDENCE_TARGET}"),
                effect=evidence_added("draft"),
            ),
            admin=FORBIDDEN,
        ),
        put=signed_in(NOT_ALLOWED),
        kwargs=pk_of("draft"),
        data=lambda w: {"target": EVIDENCE_TARGET, "file": evidence_file()},
    ),
    Route(
        "report_evidence",
        "submitted",
        get=ANY_REPORT_READER,
        # Sent: the clerk is told at the field that nothing can be added; the others may not.
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=Expect(400),
            reviewer_shenqiu=FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            admin=FORBIDDEN,
        ),
        put=signed_in(NOT_ALLOWED),
        kwargs=pk_of("submitted"),
        data=lambda w: {"target": EVIDENCE_TARGET, "file": evidence_file()},
    ),
    Route("evidence_download", "draft", get=DRAFT_READER, kwargs=evidence_of("draft")),
    Route("evidence_download", "submitted", get=ANY_REPORT_READER, kwargs=evidence_of("submitted")),
    post_only(
        "evidence_remove",
        "draft",
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(
                page("report_evidence", "draft", f"#ev-{EVIDENCE_TARGET}"),
                effect=lambda w, user, queued: (
                    not Evidence.objects.filter(pk=w.evidence["draft"].pk).exists()
                ),
            ),
            admin=FORBIDDEN,
        ),
        kwargs=evidence_of("draft"),
    ),
    post_only(
        "evidence_remove",
        "submitted",
        # Sent: read-only; the clerk is sent back with a message, the others may not.
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(page("report_evidence", "submitted", f"#ev-{EVIDENCE_TARGET}")),
            reviewer_shenqiu=FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            admin=FORBIDDEN,
        ),
        kwargs=evidence_of("submitted"),
    ),
    # The 2020 period keeps its evidence private (the admin's setting): 404 for all.
    Route(
        "public_evidence_download",
        "published",
        get=roles(NOT_FOUND),
        kwargs=evidence_of("published"),
    ),
    Route("report_pdf", "draft", get=DRAFT_READER, kwargs=pk_of("draft")),
    Route("report_pdf", "submitted", get=ANY_REPORT_READER, kwargs=pk_of("submitted")),
    Route("report_score", "draft", get=DRAFT_READER, kwargs=pk_of("draft")),
    Route("report_score", "submitted", get=ANY_REPORT_READER, kwargs=pk_of("submitted")),
    Route(
        "township_scores",
        "lianchi",
        get=signed_in(
            NOT_FOUND, clerk_lianchi=OK, reviewer_shenqiu=OK, reviewer_zhoukou=OK, admin=OK
        ),
        kwargs=lambda w: {"pk": w.lianchi.pk},
    ),
    # --- workflow moves (reports/models.py WORKFLOW; tests/reports/test_workflow.py) ---
    act(
        "draft",
        "submit",
        clerk_lianchi=redirect(
            page("report_detail", "draft"), effect=status_becomes("draft", "submitted")
        ),
        admin=FORBIDDEN,
    ),
    act(
        "submitted",
        "withdraw",
        clerk_lianchi=redirect(
            page("report_detail", "submitted"), effect=status_becomes("submitted", "draft")
        ),
        reviewer_shenqiu=FORBIDDEN,
        reviewer_zhoukou=FORBIDDEN,
        admin=FORBIDDEN,
    ),
    *(
        act(
            "submitted",
            action,
            clerk_lianchi=FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            **dict.fromkeys(
                ("reviewer_shenqiu", "admin"),
                redirect(
                    page("report_review", "submitted"), effect=status_becomes("submitted", target)
                ),
            ),
        )
        for action, target in (("return", "returned"), ("approve", "approved"))
    ),
    act(
        "approved",
        "publish",
        clerk_lianchi=FORBIDDEN,
        reviewer_zhoukou=FORBIDDEN,
        **dict.fromkeys(
            ("reviewer_shenqiu", "admin"),
            redirect(page("report_review", "approved"), status_becomes("approved", "published")),
        ),
    ),
    act(
        "published",
        "reopen",
        clerk_lianchi=FORBIDDEN,
        reviewer_shenqiu=FORBIDDEN,
        reviewer_zhoukou=FORBIDDEN,
        admin=redirect(page("report_review", "published"), status_becomes("published", "returned")),
    ),
    act("submitted", "no-such-action"),
    # --- review ---
    Route("report_review", "draft", get=signed_in(NOT_FOUND, admin=OK), kwargs=pk_of("draft")),
    Route(
        "report_review",
        "submitted",
        get=signed_in(NOT_FOUND, reviewer_shenqiu=OK, admin=OK),
        kwargs=pk_of("submitted"),
    ),
    post_only(
        "comment_create",
        "submitted",
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            **dict.fromkeys(
                ("reviewer_shenqiu", "admin"),
                redirect(page("report_review", "submitted", THREAD), effect=comment_added),
            ),
        ),
        kwargs=pk_of("submitted"),
        data=lambda w: {"target": "shortcomings", "body": "请补充具体数字。"},
    ),
    post_only(
        "figure_check",
        "submitted",
        # The world's figures equal last year's: nothing is marked 「请核实」, so the county's
        # reviewer and the admin are sent back with a message and nothing is stored
        # (tests/reports/test_figure_checks.py checks a real check); the clerk may not edit a
        # sent report.
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            **dict.fromkeys(
                ("reviewer_shenqiu", "admin"),
                redirect(page("report_review", "submitted", "#figure-publicity_events")),
            ),
        ),
        kwargs=pk_of("submitted"),
        data=lambda w: {"code": "publicity_events", "note": "已核对。"},
    ),
    post_only(
        "figure_check",
        "draft",
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(page("report_edit", "draft", "#figure-publicity_events")),
            admin=redirect(page("report_review", "draft", "#figure-publicity_events")),
        ),
        kwargs=pk_of("draft"),
        data=lambda w: {"code": "publicity_events", "note": "已核对。"},
    ),
    post_only(
        "report_deduction",
        "submitted",
        # The world's set (the default) has no reviewer-scored item: the county's reviewer and
        # the admin are sent back with a message, nothing stored (tests/reports/test_deductions.py
        # checks a real deduction); the clerk may not deduct.
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            **dict.fromkeys(
                ("reviewer_shenqiu", "admin"),
                redirect(page("report_review", "submitted", "#deduction-1")),
            ),
        ),
        kwargs=pk_of("submitted"),
        data=lambda w: {"item": "1", "action": "add", "note": "见佐证材料。"},
    ),
    post_only(
        "comment_answer",
        "returned",
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(page("report_detail", "returned", THREAD), effect=answer_added),
            reviewer_shenqiu=FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            admin=FORBIDDEN,
        ),
        kwargs=lambda w: {"pk": w.comment.pk},
        data=lambda w: {"body": "已补充。"},
    ),
    post_only(
        "comment_resolve",
        "returned",
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            **dict.fromkeys(
                ("reviewer_shenqiu", "admin"),
                redirect(page("report_review", "returned", THREAD), effect=comment_resolved),
            ),
        ),
        kwargs=lambda w: {"pk": w.comment.pk},
    ),
    Route(
        "review_queue",
        "",
        get=signed_in(FORBIDDEN, **dict.fromkeys((*REVIEWERS, "admin"), OK)),
    ),
    post_only(
        "review_queue_approve",
        "",
        post=signed_in(
            FORBIDDEN,
            reviewer_zhoukou=FORBIDDEN,
            **dict.fromkeys(
                ("reviewer_shenqiu", "admin"),
                redirect(page("review_queue"), effect=status_becomes("submitted", "approved")),
            ),
            # Another county's report is not theirs: quietly left out, nothing approved.
            reviewer_wuxi=redirect(page("review_queue")),
        ),
        data=lambda w: {"report": [w.report("submitted").pk]},
    ),
    # --- county and admin overviews ---
    Route(
        "county_home",
        "",
        get=signed_in(FORBIDDEN, reviewer_zhoukou=OK, **dict.fromkeys(REVIEWERS, OK)),
    ),
    post_only(
        "county_remind",
        "",
        post=signed_in(
            FORBIDDEN,
            **dict.fromkeys(
                REVIEWERS,
                redirect(page("county_home", suffix="?year=2023"), effect=reminder_queued),
            ),
        ),
        data=lambda w: {"year": 2023},
    ),
    post_only(
        "county_reminder_policy",
        "",
        post=signed_in(
            FORBIDDEN,
            **{
                role: redirect(page("county_home"), effect=policy_saved(role)) for role in REVIEWERS
            },
        ),
        data=lambda w: {"active": "on", "days_before": "7,1", "every_days_after": "3"},
    ),
    Route("notice_list", "", get=signed_in(OK)),
    post_only(
        "notice_open",
        "",
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(lambda w, user: "/township/", effect=notice_was_read),
        ),
        kwargs=lambda w: {"pk": w.notice.pk},
    ),
    post_only(
        "notices_read",
        "",
        post=signed_in(
            redirect(page("notice_list")),
            clerk_lianchi=redirect(page("notice_list"), effect=notice_was_read),
        ),
    ),
    Route(
        "password_change",
        "",
        get=signed_in(OK),
        # An empty form is refused at its fields: nothing changes.
        post=signed_in(OK),
        put=signed_in(NOT_ALLOWED),
    ),
    Route(
        "people",
        "",
        get=signed_in(FORBIDDEN, security=OK),
        post=signed_in(FORBIDDEN, security=OK),
        put=signed_in(NOT_ALLOWED),
    ),
    post_only(
        "people_reset",
        "",
        post=signed_in(FORBIDDEN, security=Expect(200, effect=must_change("clerk_huatai"))),
        kwargs=lambda w: {"pk": w.users["clerk_huatai"].pk},
    ),
    post_only(
        "people_sessions_end",
        "",
        post=signed_in(FORBIDDEN, security=redirect(page("people"), effect=sessions_ended)),
        kwargs=lambda w: {"pk": w.users["clerk_huatai"].pk},
    ),
    post_only(
        "people_unlock",
        "",
        post=signed_in(FORBIDDEN, security=redirect(page("people"), effect=unlocked)),
        kwargs=lambda w: {"pk": w.users["clerk_huatai"].pk},
    ),
    post_only(
        "people_second_factor_reset",
        "",
        post=signed_in(FORBIDDEN, security=redirect(page("people"), effect=devices_removed)),
        kwargs=lambda w: {"pk": w.users["clerk_huatai"].pk},
    ),
    Route("audit_log", "", get=signed_in(FORBIDDEN, auditor=OK)),
    Route("audit_export", "", get=signed_in(FORBIDDEN, auditor=Expect(200, effect=exported))),
    Route("keepalive", "", get=signed_in(Expect(204))),
    Route(
        "second_factor",
        "",
        # Setting up an authenticator is open to everyone signed in (required only for
        # reviewers and administrators when SECOND_FACTOR_REQUIRED is on): the first visit
        # makes the pending device; a wrong code changes nothing more.
        # 花台乡's clerk has a confirmed one: asked for a code, and a wrong one changes nothing.
        get=signed_in(Expect(200, effect=device_pending), clerk_huatai=OK),
        post=signed_in(Expect(200, effect=device_pending), clerk_huatai=OK),
        put=signed_in(NOT_ALLOWED),
    ),
    post_only(
        "people_active",
        "",
        post=signed_in(
            FORBIDDEN,
            security=redirect(page("people"), effect=deactivated("clerk_huatai")),
        ),
        kwargs=lambda w: {"pk": w.users["clerk_huatai"].pk},
        data=lambda w: {"active": "0"},
    ),
    Route("admin_home", "", get=signed_in(FORBIDDEN, admin=OK)),
    Route(
        "ranking",
        "",
        get=signed_in(FORBIDDEN, **dict.fromkeys((*REVIEWERS, "reviewer_zhoukou", "admin"), OK)),
    ),
    # --- importing a document into the report (clerks; issue 6) ---
    Route(
        "report_import",
        "draft",
        get=signed_in(NOT_FOUND, clerk_lianchi=OK, admin=redirect(page("report_detail", "draft"))),
        # The clerk's POST only shows what was found (the confirmation page); nothing is stored.
        post=AS_GET,
        put=signed_in(NOT_ALLOWED),
        kwargs=pk_of("draft"),
        data=lambda w: {"pasted": f"一、存在的不足和原因\n{STOCK_TEXT}"},
    ),
    Route(
        "report_import",
        "submitted",
        get=signed_in(
            NOT_FOUND,
            **dict.fromkeys(
                ("clerk_lianchi", "reviewer_shenqiu", "reviewer_zhoukou", "admin"),
                redirect(page("report_detail", "submitted")),
            ),
        ),
        post=AS_GET,
        put=signed_in(NOT_ALLOWED),
        kwargs=pk_of("submitted"),
        data=lambda w: {"pasted": f"一、存在的不足和原因\n{STOCK_TEXT}"},
    ),
    Route(
        "report_import_job",
        "draft",
        get=signed_in(NOT_FOUND, clerk_lianchi=OK, admin=redirect(page("report_detail", "draft"))),
        kwargs=lambda w: {"pk": w.report("draft").pk, "job_pk": w.import_job.pk},
    ),
    post_only(
        "report_import_apply",
        "draft",
        post=signed_in(
            NOT_FOUND,
            clerk_lianchi=redirect(page("report_edit", "draft"), effect=imported("draft")),
            admin=redirect(page("report_detail", "draft")),
        ),
        kwargs=pk_of("draft"),
        data=import_form("draft"),
    ),
    post_only(
        "report_import_apply",
        "submitted",
        post=signed_in(
            NOT_FOUND,
            **dict.fromkeys(
                ("clerk_lianchi", "reviewer_shenqiu", "reviewer_zhoukou", "admin"),
                redirect(page("report_detail", "submitted")),
            ),
        ),
        kwargs=pk_of("submitted"),
        data=import_form("submitted"),
    ),
    # --- similar reports (reviewers; issue 6): another county's text is never shown whole ---
    similar("submitted", "huatai_submitted", reviewer_shenqiu=OK, admin=OK),
    similar("huatai_submitted", "submitted", reviewer_wuxi=OK, admin=OK),
    similar("submitted", "fengying_draft"),  # no stored pair (and a draft): not found for all
    # --- exports ---
    post_only(
        "export_create",
        "county_shenqiu",
        post=signed_in(
            FORBIDDEN,
            reviewer_shenqiu=EXPORT_STARTED,
            reviewer_zhoukou=EXPORT_STARTED,
            admin=EXPORT_STARTED,
        ),
        data=lambda w: {"kind": "county", "year": 2023, "county": w.shenqiu.pk},
    ),
    post_only(
        "export_create",
        "province",
        post=signed_in(FORBIDDEN, admin=EXPORT_STARTED),
        data=lambda w: {"kind": "province", "year": 2023},
    ),
    Route(
        "export_detail",
        "",
        get=signed_in(NOT_FOUND, reviewer_shenqiu=OK, admin=OK),
        kwargs=lambda w: {"pk": w.job.pk},
    ),
    Route(
        "export_download",
        "",
        get=signed_in(NOT_FOUND, reviewer_shenqiu=OK, admin=OK),
        kwargs=lambda w: {"pk": w.job.pk},
    ),
    # --- public pages: no log-in, published reports only ---
    Route("public_index", "", get=roles(OK)),
    Route("public_report", "published", get=roles(OK), kwargs=pk_of("published")),
    Route("public_report", "approved", get=roles(NOT_FOUND), kwargs=pk_of("approved")),
    Route("public_report_pdf", "published", get=roles(OK), kwargs=pk_of("published")),
    Route("public_report_pdf", "approved", get=roles(NOT_FOUND), kwargs=pk_of("approved")),
]

CASES = [
    pytest.param(route, role, method, id=f"{route.id}-{role}-{method}")
    for route in ROUTES
    for role in ROLES
    for method in METHODS
]


# --- the URL configuration ----------------------------------------------------------------------


def portal_url_patterns() -> tuple[dict[str, str], list[str]]:
    """name → route of every URL pattern but the Django admin's own (an unnamed pattern without
    parameters is known by its path), and the unnamed patterns with parameters."""
    named: dict[str, str] = {}
    unnamed: list[str] = []

    def walk(patterns, prefix: str, namespaces: list[str]) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # Django's admin site: test_admin_site_* below
                inner = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    named[":".join([*namespaces, pattern.name])] = route
                elif "<" not in route:
                    named[route] = route  # declared in the matrix by its path
                else:
                    unnamed.append(route)

    walk(get_resolver().url_patterns, "/", [])
    return named, unnamed


def test_every_url_is_in_the_matrix():
    named, unnamed = portal_url_patterns()
    declared = {route.name for route in ROUTES}
    missing = {name: named[name] for name in sorted(set(named) - declared)}
    stale = sorted(declared - set(named))
    problems = []
    if missing:
        problems.append(
            "URL names not in the permission matrix (add a Route for each to ROUTES in "
            "tests/test_permission_matrix.py, saying what every role gets for GET, POST and PUT): "
            + ", ".join(f"{name} ({route})" for name, route in missing.items())
        )
    if stale:
        problems.append(
            "the matrix declares URL names that no longer exist (remove or rename their Route): "
            + ", ".join(stale)
        )
    if unnamed:
        problems.append(
            "URL patterns with parameters but no name cannot be declared (give them name=...): "
            + ", ".join(unnamed)
        )
    assert not problems, "\n".join(problems)


def test_every_route_declares_every_role_and_method():
    ids = [route.id for route in ROUTES]
    assert len(ids) == len(set(ids)), "two Routes with the same name and variant"
    for route in ROUTES:
        for table in (route.get, route.post, route.put):
            assert table is None or table is AS_GET or set(table) == set(ROLES), route.id


# --- the matrix ---------------------------------------------------------------------------------


def send(client, method: str, url: str, data: dict):
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data)
    return client.put(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "role", "method"), CASES)
def test_permission_matrix(world, client, django_capture_on_commit_callbacks, route, role, method):
    user = world.sign_in(client, role)
    url = route.url(world)
    expected = route.expect(role, method)

    before = database_state()
    with django_capture_on_commit_callbacks() as queued:
        response = send(client, method, url, route.data(world))
    # Reading a streamed body to its end closes the file (the test client's closing wrapper).
    content = b"".join(response.streaming_content) if response.streaming else response.content

    where = f"{method} {url} as {role}"
    assert response.status_code == expected.status, (
        f"{where}: expected {expected.status}, got {response.status_code} "
        f"{response.get('Location', '')}"
    )
    if expected.status in (301, 302):
        if expected.to is None:
            location = urlsplit(response["Location"])
            assert location.path == reverse("login"), f"{where}: not sent to log in"
            assert parse_qs(location.query)["next"] == [url], where
        else:
            assert response["Location"] == expected.to(world, user), where

    if expected.effect is None:
        after = database_state()
        assert after == before, f"{where} changed the database:\n{describe_changes(before, after)}"
        assert not queued, f"{where} queued work after the commit: {queued}"
    else:
        assert expected.effect(world, user, queued), f"{where}: the expected effect is missing"

    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        text = content.decode()
        for report in world.reports.values():
            if not may_read(role, world, report):
                assert world.markers[report.pk] not in text, (
                    f"{where} shows the text of {report} ({report.status}), which {role} may not read"
                )


# --- the Django admin site (its own URLs are left out of the matrix above) ----------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/admin/", "/admin/reports/report/"])
def test_admin_site_only_for_staff_admins(world, client, role, path):
    world.sign_in(client, role)
    response = client.get(path)
    if role == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == reverse("admin:login")
        assert parse_qs(location.query)["next"] == [path]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_admin_site_refuses_a_delete_from_others(world, client, role):
    world.sign_in(client, role)
    report = world.report("submitted")
    before = database_state()
    response = client.post(f"/admin/reports/report/{report.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("admin:login")
    assert database_state() == before
