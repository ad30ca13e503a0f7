"""The load test's users as a Locust scenario: township clerks saving drafts and submitting, county
reviewers reading. `manage.py loadtest` prepares the data, starts the server and runs this file;
extra load machines join the same run as workers:

    locust -f devtools/locustfile.py --worker --master-host=HOST --master-port=PORT

Each user drives the real pages as a browser does: the log-in form, CSRF tokens read from each
form, the optimistic `version` read from the edit page, redirects followed (each hop timed on its
own, under its URL name). A response a user would see as a failure (an HTTP error, a refused form,
a missing success message, a wrong version after a save) is a Locust failure of that request.

The run, as the master (or the single process) conducts it: every user asks the master for an
account (so each clerk is a distinct township's clerk, whichever machine runs it), logs in, and
waits; once all have logged in, the master keeps the log-in phase's figures apart, resets the
statistics and opens the measured window for everyone at once, then stops the run after the
window and writes both phases' figures, from Locust's statistics, to the plan's results file
(what manage.py loadtest reads). Locust's own --reset-stats would reset when the last user is
spawned, with log-ins (a quarter of a second of CPU each) still running into the window.

Nothing here imports Django: a load machine needs the repository, Python and Locust only.
"""

import ipaddress
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
from gevent.event import AsyncResult, Event
from gevent.resolver.blocking import Resolver as BlockingResolver
from locust import events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import RescheduleTask, StopUser
from locust.runners import WORKER_REPORT_INTERVAL, MasterRunner, WorkerRunner

# Load machines run this file from a checkout without the project installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from devtools.report_texts import generated_figures, part_texts  # noqa: E402

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
FIGURE_RE = re.compile(r'name="fig_([a-z0-9_]+)"')
# Flash messages (templates/partials/messages.html) are the only dismissible alerts.
MESSAGE_RE = re.compile(
    r'class="alert alert-(success|info|warning|danger) alert-dismissible"[^>]*>\s*(.*?)\s*<button',
    re.S,
)
ALERT_RE = re.compile(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', re.S)
STATUS_RE = re.compile(r'class="badge status-([a-z_-]+)"')
REVIEW_LINK_RE = re.compile(r'href="/reports/(\d+)/review/"')
SCORES_LINK_RE = re.compile(r'href="/townships/(\d+)/scores/"')
TAG_RE = re.compile(r"<[^>]+>")
# Figures tied by a validation rule (DOMAIN.md): changed together so that a save never breaks one.
RULE_PAIRS = (
    ("villages_total", "villages_with_legal_advisor"),
    ("disputes_mediated", "disputes_resolved"),
    ("admin_lawsuits", "head_appearances"),
)
# The URL names (reports/urls.py, reportportal/urls.py) of the pages these users visit: the
# statistics group by page, not by path with its ids. tests/devtools checks them against Django.
PAGES = [
    (re.compile(pattern), name)
    for pattern, name in (
        (r"/login/", "login"),
        (r"/", "home"),
        (r"/township/", "township_home"),
        (r"/township/start/\d+/", "report_start"),
        (r"/reports/\d+/", "report_detail"),
        (r"/reports/\d+/edit/", "report_edit"),
        (r"/reports/\d+/act/[a-z_]+/", "report_act"),
        (r"/reports/\d+/review/", "report_review"),
        (r"/reports/\d+/score/", "report_score"),
        (r"/townships/\d+/scores/", "township_scores"),
        (r"/review/", "review_queue"),
        (r"/county/", "county_home"),
        (r"/ranking/", "ranking"),
    )
]


def page_name(path: str) -> str:
    path = path.split("?", 1)[0]
    for pattern, name in PAGES:
        if pattern.fullmatch(path):
            return name
    return "unresolved " + re.sub(r"\d+", "N", path)


def message_of(body: str) -> str:
    """The flash messages and error summary of a page, as text, for the error report."""
    # Flash messages and form errors (crispy's non-field errors) are alerts.
    found = [" ".join(TAG_RE.sub(" ", text).split()) for text in ALERT_RE.findall(body)]
    summary = re.search(r'id="error-summary".*?</div>\s*</div>', body, re.S)
    if summary:
        found.append(" ".join(TAG_RE.sub(" ", summary.group(0)).split()))
    return " / ".join(found) or "(no message on the page)"


# --- the conductor: accounts, the log-in phase, the measured window ---------------------------


@events.init_command_line_parser.add_listener
def _arguments(parser: Any) -> None:
    parser.add_argument(
        "--plan",
        default="",
        include_in_web_ui=False,
        help="JSON written by manage.py loadtest: accounts, year, think time, window (master only)",
    )


@dataclass
class Conductor:
    """The master's (or single process's) part: hands out accounts, counts log-ins, opens and
    closes the window, and writes both phases' figures to the plan's results file."""

    plan: dict
    free: dict[str, list[dict]] = field(default_factory=dict)
    logged_in: int = 0
    failed_logins: int = 0
    login: dict = field(default_factory=dict)
    window: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.free = {"clerk": list(self.plan["clerks"]), "reviewer": list(self.plan["reviewers"])}

    @property
    def users(self) -> int:
        return len(self.plan["clerks"]) + len(self.plan["reviewers"])


CONDUCTOR: Conductor | None = None
# This process's users: their account replies, the window's opening, their action counts.
TICKETS: dict[int, AsyncResult] = {}
WINDOW_OPEN = Event()
COUNTS: Counter[str] = Counter()


def _resolve_in_place(host: str) -> None:
    """A server given as an IP address (manage.py loadtest's) leaves nothing to look up before
    each connection, yet gevent's default resolver hands every lookup to a thread and back: about
    a tenth of this process's CPU at one connection per request, on the machine the server shares.
    The blocking resolver answers such an address in place. A host name keeps the default, so that
    a slow name server never stalls every user of the process."""
    try:
        ipaddress.ip_address(urlsplit(host).hostname or "")
    except ValueError:
        return
    hub = gevent.get_hub()
    hub.resolver = BlockingResolver(hub)


@events.init.add_listener
def _on_init(environment: Any, **_kwargs: Any) -> None:
    global CONDUCTOR
    runner = environment.runner
    if runner is None:
        return
    _resolve_in_place(environment.host or "")
    if not isinstance(runner, WorkerRunner):
        plan_path = environment.parsed_options.plan if environment.parsed_options else ""
        if not plan_path:
            raise SystemExit("--plan is required (run through manage.py loadtest)")
        CONDUCTOR = Conductor(json.loads(Path(plan_path).read_text(encoding="utf-8")))
        # Exactly one user per account, however Locust divides users among the workers.
        Clerk.fixed_count = len(CONDUCTOR.plan["clerks"])
        Reviewer.fixed_count = len(CONDUCTOR.plan["reviewers"])
        runner.register_message("loadtest_account_request", _hand_out_account)
        runner.register_message("loadtest_logged_in", _count_log_in)
    if not isinstance(runner, MasterRunner):
        runner.register_message("loadtest_account", _account_arrived)
        runner.register_message("loadtest_window_open", lambda **_kw: WINDOW_OPEN.set())


def _hand_out_account(environment: Any, msg: Any, **_kwargs: Any) -> None:
    assert CONDUCTOR is not None
    free = CONDUCTOR.free[msg.data["kind"]]
    plan = CONDUCTOR.plan
    environment.runner.send_message(
        "loadtest_account",
        {
            "ticket": msg.data["ticket"],
            "account": free.pop(0) if free else None,
            "settings": {
                key: plan[key] for key in ("year", "think", "keep_alive", "stable_report_ids")
            },
        },
        client_id=msg.node_id,
    )


def _account_arrived(msg: Any, **_kwargs: Any) -> None:
    ticket = TICKETS.pop(msg.data["ticket"], None)
    if ticket is not None:
        ticket.set(msg.data)


def _count_log_in(msg: Any, **_kwargs: Any) -> None:
    assert CONDUCTOR is not None
    if msg.data["ok"]:
        CONDUCTOR.logged_in += 1
    else:
        CONDUCTOR.failed_logins += 1


@events.report_to_master.add_listener
def _send_counts(data: dict, **_kwargs: Any) -> None:
    data["loadtest_counts"] = dict(COUNTS)
    COUNTS.clear()


@events.worker_report.add_listener
def _add_counts(data: dict, **_kwargs: Any) -> None:
    COUNTS.update(data.get("loadtest_counts", {}))


@events.test_start.add_listener
def _on_test_start(environment: Any, **_kwargs: Any) -> None:
    if CONDUCTOR is not None and not isinstance(environment.runner, WorkerRunner):
        gevent.spawn(_conduct, environment, CONDUCTOR)


def _figures(entry: Any) -> dict:
    # Locust keeps response times rounded (to 10 ms from 100 ms, to 100 ms from 1 s): its
    # percentiles are as fine as that, and never above the exact maximum.
    maximum = round(entry.max_response_time or 0.0, 1)
    return {
        "count": entry.num_requests,
        **{
            f"p{q}_ms": min(float(entry.get_response_time_percentile(q / 100)), maximum)
            for q in (50, 95, 99)
        },
        "max_ms": maximum,
    }


def _summary(stats: Any) -> dict:
    """A phase's figures per page (request name) and overall, and the failures users saw."""
    pages = {entry.name: _figures(entry) for entry in stats.entries.values() if entry.num_requests}
    return {
        "pages": dict(sorted(pages.items())),
        "overall": _figures(stats.total),
        "errors": list(stats.serialize_errors().values()),
    }


def _conduct(environment: Any, conductor: Conductor) -> None:
    runner = environment.runner
    plan = conductor.plan
    started = time.time()
    deadline = started + plan["login_timeout"]
    while conductor.logged_in + conductor.failed_logins < conductor.users:
        if time.time() > deadline:
            break
        gevent.sleep(0.1)
    login_seconds = time.time() - started
    if isinstance(runner, MasterRunner):
        # Workers send their figures every few seconds: wait for the last log-ins' figures.
        gevent.sleep(WORKER_REPORT_INTERVAL + 1)
    conductor.login = {
        "seconds": round(login_seconds, 1),
        "users": conductor.users,
        "logged_in": conductor.logged_in,
        "failed": conductor.failed_logins,
        **_summary(runner.stats),
    }
    runner.stats.reset_all()
    COUNTS.clear()
    # The line manage.py loadtest waits for to read the server's CPU counters.
    print(f"LOADTEST window-open {conductor.logged_in}", file=sys.stderr, flush=True)
    opened = time.time()
    runner.send_message("loadtest_window_open")
    gevent.sleep(plan["seconds"])
    print("LOADTEST window-close", file=sys.stderr, flush=True)
    conductor.window = {"opened": opened, "closed": time.time()}
    runner.quit()


@events.quitting.add_listener
def _write_results(environment: Any, **_kwargs: Any) -> None:
    if CONDUCTOR is None or isinstance(environment.runner, WorkerRunner):
        return
    results = {
        "login": CONDUCTOR.login,
        "window": CONDUCTOR.window | _summary(environment.runner.stats),
        "counts": dict(COUNTS),
    }
    Path(CONDUCTOR.plan["results"]).write_text(json.dumps(results, ensure_ascii=False))


# --- the users ----------------------------------------------------------------------------------


class Unexpected(RescheduleTask):
    """What a real user would see as a failure, already reported against the request where it was
    seen: the user starts a fresh cycle, which re-reads the state from the pages."""


@dataclass
class Page:
    path: str
    status: int
    location: str
    body: str


class PortalUser(FastHttpUser):
    abstract = True
    kind = ""
    # Gunicorn's own timeout is 60 s: a request is never cut short before the server gives up.
    network_timeout = 70.0
    connection_timeout = 30.0

    def wait_time(self) -> float:
        # A pause between pages: a deadline-day burst at --think 5, no pause at all at 0.2.
        return random.uniform(0, self.think)

    def on_start(self) -> None:
        self.think = 0.0
        self.ready = False
        self.referer = ""
        self.origin = (self.host or "").rstrip("/")
        account = self._ask_for_account()
        if account is None:  # more users than accounts: a worker joined that was not expected
            self.environment.runner.send_message("loadtest_logged_in", {"ok": False})
            return
        settings = account["settings"]
        self.username = account["account"]["username"]
        self.password = account["account"]["password"]
        self.year = settings["year"]
        self.think = settings["think"]
        self.keep_alive = settings["keep_alive"]
        self.stable_report_ids = set(settings["stable_report_ids"])
        self.rng = random.Random(self.username)
        self.setup(account["account"])
        try:
            self.landing = self.log_in()
            self.ready = True
        except Unexpected:
            pass  # reported; this user sits the run out
        self.environment.runner.send_message("loadtest_logged_in", {"ok": self.ready})
        if self.ready:
            WINDOW_OPEN.wait()
            self.wait()  # users do not all click at the same instant when the window opens

    def setup(self, account: dict) -> None:
        """What a kind of user keeps from its account."""

    def _ask_for_account(self) -> dict | None:
        ticket = id(self)
        TICKETS[ticket] = reply = AsyncResult()
        self.environment.runner.send_message(
            "loadtest_account_request", {"kind": self.kind, "ticket": ticket}
        )
        data = reply.get(timeout=60)
        return data if data["account"] else None

    @task
    def run_cycle(self) -> None:
        if not self.ready:
            raise StopUser
        self.cycle()

    def cycle(self) -> None:
        raise NotImplementedError

    def think_now(self) -> None:
        self.wait()

    # --- the browser ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        label: str = "",
        check: Any = None,
    ) -> Page:
        """One request, named by the page's URL name; `check(page)` returns what is wrong with
        the response, if anything (by default: a status other than 200 or 302)."""
        name = f"{method} {page_name(path)}" + (f":{label}" if label else "")
        headers = {
            "Accept": "text/html,application/xhtml+xml",
            "Accept-Language": "zh-CN,zh;q=0.9",
            "User-Agent": "reportportal-loadtest",
        }
        if not self.keep_alive:
            # What gunicorn sees behind nginx, whose upstream connections are not kept alive.
            headers["Connection"] = "close"
        if self.referer:
            headers["Referer"] = self.referer
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        with self.client.request(
            method,
            path,
            name=name,
            data=body,
            headers=headers,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            page = None
            problem: str | None
            if not response.status_code:
                problem = f"no response: {response.error!r}"
            else:
                page = Page(
                    path,
                    response.status_code,
                    (response.headers.get("Location") if response.headers else None) or "",
                    response.text or "",
                )
                problem = (check or _status_problem)(page)
            if problem:
                response.failure(problem)
            else:
                response.success()
        if problem or page is None:
            raise Unexpected(problem)
        return page

    def get(self, path: str, check: Any = None) -> Page:
        """A page, following redirects as a browser does; `check` looks at the final page."""

        def checked(page: Page) -> str | None:
            if page.status == 302:
                return None
            return (check or _status_problem)(page)

        for _hop in range(5):
            page = self.request("GET", path, check=checked)
            if page.status != 302:
                self.referer = self.origin + path
                return page
            path = self._local(page.location)
        raise Unexpected("more than 5 redirects")

    def post(self, path: str, data: dict, label: str, expect: str, check: Any = None) -> Page:
        """A form post that must redirect to `expect` (a regex over the path), then that page."""

        def redirected(page: Page) -> str | None:
            if page.status != 302:
                return f"form refused (HTTP {page.status}): {message_of(page.body)}"
            target = self._local(page.location)
            if not re.fullmatch(expect, target):
                return f"unexpected redirect to {target}"
            return None

        page = self.request("POST", path, data=data, label=label, check=redirected)
        return self.get(self._local(page.location), check=check)

    def _local(self, location: str) -> str:
        parts = urlsplit(location)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def log_in(self) -> Page:
        form = self.get("/login/", check=_has_csrf)
        return self.post(
            "/login/",
            {
                "csrfmiddlewaretoken": csrf_of(form),
                "username": self.username,
                "password": self.password,
                "next": "",
            },
            label="",
            expect=r"/",
            check=lambda page: (
                _status_problem(page)
                or (None if 'action="/logout/"' in page.body else "not logged in after the form")
            ),
        )


def _status_problem(page: Page) -> str | None:
    return None if page.status in (200, 302) else f"HTTP {page.status}"


def _has_csrf(page: Page) -> str | None:
    return _status_problem(page) or (None if CSRF_RE.search(page.body) else "no CSRF token")


def csrf_of(page: Page) -> str:
    match = CSRF_RE.search(page.body)
    assert match is not None  # the page was checked with _has_csrf
    return match.group(1)


def _expect_message(success: str) -> Any:
    def check(page: Page) -> str | None:
        if problem := _has_csrf(page):
            return problem
        messages = MESSAGE_RE.findall(page.body)
        if not any(kind == "success" and success in text for kind, text in messages):
            return f"no success message «{success}»: {message_of(page.body)}"
        return None

    return check


class Clerk(PortalUser):
    """Opens the township page, edits and saves the draft a few times, submits, looks at the
    sent report and its score, then withdraws it (as a clerk who spots a typo) and goes on, so
    that writes continue through the whole run."""

    kind = "clerk"

    def setup(self, account: dict) -> None:
        self.township = account["township"]
        self.head = account["head"]
        self.report_id: int | None = None
        self.codes: list[str] = []
        self.figures: dict[str, int | None] = {}
        self.saves = 0

    def cycle(self) -> None:
        home = self.get("/township/", check=self._has_year_row)
        status = self._status_on(home)
        self.think_now()
        if self.report_id is None or status == "not-started":
            self.report_id = self._start(home)
            self.think_now()
        if status == "submitted":
            self._withdraw()  # left sent by an interrupted cycle: bring it back
            self.think_now()
        for _ in range(self.rng.randint(2, 5)):
            self._save()
            self.think_now()
        self._submit()
        self.think_now()
        for _ in range(self.rng.randint(2, 4)):
            self._view()
            self.think_now()
        self._withdraw()

    def _row_for_year(self, home: Page) -> str | None:
        for row in home.body.split("<tr>"):
            if f"{self.year}年度</td>" in row:
                return row
        return None

    def _has_year_row(self, page: Page) -> str | None:
        if problem := _has_csrf(page):
            return problem
        row = self._row_for_year(page)
        if row is None:
            return f"no row for {self.year} on the township page"
        if not re.search(r'href="/reports/(\d+)/(?:edit/)?"', row) and (
            f'action="/township/start/{self.year}/"' not in row
        ):
            return "neither a report nor 开始填报 on the township page"
        return None

    def _status_on(self, home: Page) -> str:
        match = STATUS_RE.search(self._row_for_year(home) or "")
        return match.group(1) if match else "unknown"

    def _start(self, home: Page) -> int:
        found = re.search(r'href="/reports/(\d+)/(?:edit/)?"', self._row_for_year(home) or "")
        if found:
            return int(found.group(1))
        page = self.post(
            f"/township/start/{self.year}/",
            {"csrfmiddlewaretoken": csrf_of(home)},
            "",
            r"/reports/\d+/edit/",
        )
        started = re.match(r"/reports/(\d+)/", page.path)
        assert started is not None  # the redirect was checked against this pattern
        return int(started.group(1))

    def _form(self, edit: Page, version: int) -> dict:
        if not self.codes:
            self.codes = list(dict.fromkeys(FIGURE_RE.findall(edit.body)))
            self.figures = generated_figures(self.rng, self.codes)
        self.saves += 1
        # A clerk revises a few figures per save, not all seventeen: take one to three groups
        # from a fresh consistent set (a rule's two figures move together, so the rules hold).
        fresh = generated_figures(self.rng, self.codes)
        singles = [(c,) for c in self.codes if not any(c in pair for pair in RULE_PAIRS)]
        groups = [pair for pair in RULE_PAIRS if all(c in self.codes for c in pair)] + singles
        for group in self.rng.sample(groups, k=self.rng.randint(1, 3)):
            self.figures.update({code: fresh[code] for code in group})
        parts = part_texts(name=self.township, head=self.head, year=self.year, figures=self.figures)
        parts["other"] = f"压测第 {self.saves} 次保存（{time.strftime('%H:%M:%S')}）。"
        data = {"csrfmiddlewaretoken": csrf_of(edit), "version": str(version), **parts}
        for code, value in self.figures.items():
            data[f"fig_{code}"] = "" if value is None else str(value)
        return data

    def _edit_page(self) -> tuple[Page, int]:
        def editable(page: Page) -> str | None:
            if problem := _has_csrf(page):
                return problem
            return None if VERSION_RE.search(page.body) else "no version field (not editable?)"

        edit = self.get(f"/reports/{self.report_id}/edit/", check=editable)
        version = VERSION_RE.search(edit.body)
        assert version is not None  # checked above
        return edit, int(version.group(1))

    def _save(self) -> None:
        edit, version = self._edit_page()
        self.think_now()  # typing
        path = f"/reports/{self.report_id}/edit/"
        saved = _expect_message("草稿已保存")

        def advanced(page: Page) -> str | None:
            if problem := saved(page):
                return problem
            after = VERSION_RE.search(page.body)
            # The clerk is the only writer of this report: anything else is a lost or extra save.
            if not after or int(after.group(1)) != version + 1:
                return f"version {version} → {after and after.group(1)} after a save"
            return None

        self.post(path, self._form(edit, version) | {"save": ""}, "save", re.escape(path), advanced)
        COUNTS["saves"] += 1

    def _submit(self) -> None:
        detail_path = f"/reports/{self.report_id}/"
        sent = _expect_message("已提交至县级审核")
        if self.rng.random() < 0.5:
            # 保存并提交 on the edit form.
            edit, version = self._edit_page()
            self.think_now()
            path = f"/reports/{self.report_id}/edit/"
            data = self._form(edit, version) | {"submit": ""}
            self.post(path, data, "submit", re.escape(detail_path), sent)
        else:
            # 报送 on the report page (report_act).
            detail = self.get(detail_path, check=_has_csrf)
            self.think_now()
            self.post(
                f"/reports/{self.report_id}/act/submit/",
                {"csrfmiddlewaretoken": csrf_of(detail)},
                "submit",
                re.escape(detail_path),
                sent,
            )
        COUNTS["submits"] += 1

    def _view(self) -> None:
        choice = self.rng.random()
        if choice < 0.4:
            self.get(f"/reports/{self.report_id}/")
        elif choice < 0.7:
            self.get(f"/reports/{self.report_id}/score/")
        elif choice < 0.85:
            match = SCORES_LINK_RE.search(self.landing.body)
            self.get(f"/townships/{match.group(1)}/scores/" if match else "/township/")
        else:
            self.get("/township/")

    def _withdraw(self) -> None:
        detail_path = f"/reports/{self.report_id}/"
        detail = self.get(detail_path, check=_has_csrf)
        self.think_now()
        self.post(
            f"/reports/{self.report_id}/act/withdraw/",
            {"csrfmiddlewaretoken": csrf_of(detail)},
            "withdraw",
            re.escape(detail_path),
            _expect_message("已撤回"),
        )
        COUNTS["withdrawals"] += 1


class Reviewer(PortalUser):
    """Looks over the county: dashboard, ranking (sometimes re-sorted), queue, one report."""

    kind = "reviewer"
    SORTS = ("total", "total", "name", "legal_advisor_coverage", "mediation_success_rate")

    def cycle(self) -> None:
        county = self.get(f"/county/?year={self.year}")
        self.think_now()
        sort = self.rng.choice(self.SORTS)
        self.get(f"/ranking/?year={self.year}" + ("" if sort == "total" else f"&sort={sort}"))
        self.think_now()
        queue = self.get("/review/")
        self.think_now()
        ids = REVIEW_LINK_RE.findall(queue.body) or REVIEW_LINK_RE.findall(county.body)
        if not ids:
            return
        report_id = int(self.rng.choice(ids))
        if not self._report_page(f"/reports/{report_id}/review/", report_id):
            return
        self.think_now()
        if self.rng.random() < 0.3:
            self._report_page(f"/reports/{report_id}/score/", report_id)

    def _report_page(self, path: str, report_id: int) -> bool:
        """False when the report is gone: a clerk's report, withdrawn since the list was read (the
        application being right, not an error); a 404 on any other report is one."""
        withdrawn = False

        def check(page: Page) -> str | None:
            nonlocal withdrawn
            if page.status == 404 and report_id not in self.stable_report_ids:
                withdrawn = True
                return None
            return _status_problem(page)

        self.get(path, check=check)
        if withdrawn:
            COUNTS["reviewer_404_on_withdrawn_report (expected)"] += 1
        return not withdrawn
