"""Simulated users for `manage.py loadtest`: clerks saving drafts and submitting, reviewers reading.

Each user is a thread with its own connection and cookie jar and drives the real pages as a browser
does: the log-in form, CSRF tokens read from each form, the optimistic `version` read from the edit
page, redirects followed. So what is timed is what real users make the server do. The wire is the
standard library's http.client (no client package is installed for this).
"""

import http.client
import http.cookiejar
import math
import random
import re
import threading
import time
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from devtools.demo import generated_figures, generated_parts

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
FIGURE_RE = re.compile(r'name="fig_([a-z0-9_]+)"')
# Flash messages (templates/partials/messages.html) are the only dismissible alerts.
MESSAGE_RE = re.compile(
    r'class="alert alert-(success|info|warning|danger) alert-dismissible"[^>]*>\s*(.*?)\s*<button',
    re.S,
)
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
ERROR_SAMPLE = 25


class Stop(Exception):
    """The run is over: the user leaves at once."""


class Unexpected(Exception):
    """A response a real user would see as a failure; counted as one error, where it is raised
    (counted=True) or else where it is caught."""

    def __init__(self, message: str, counted: bool = False):
        super().__init__(message)
        self.counted = counted


@dataclass
class Response:
    method: str
    path: str
    status: int
    location: str
    body: str


@dataclass
class Stats:
    """Every request: (page, status, milliseconds), split into the log-in phase and the run."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    measuring: bool = False
    login: list = field(default_factory=list)
    run: list = field(default_factory=list)
    errors: int = 0
    error_kinds: Counter = field(default_factory=Counter)
    error_sample: list = field(default_factory=list)
    actions: Counter = field(default_factory=Counter)
    window_end: float = 0.0

    def record(self, page: str, status: int, ms: float, started: float) -> None:
        with self.lock:
            if not self.measuring:
                self.login.append((page, status, ms))
            elif started < self.window_end:
                # Only requests started inside the window count; stragglers after it do not.
                self.run.append((page, status, ms))

    def error(self, page: str, kind: str, message: str) -> None:
        with self.lock:
            self.errors += 1
            self.error_kinds[f"{page}: {kind}"] += 1
            if len(self.error_sample) < ERROR_SAMPLE:
                self.error_sample.append(f"{page}: {message}"[:300])

    def count(self, action: str) -> None:
        with self.lock:
            self.actions[action] += 1


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile: a value that was really observed."""
    if not sorted_values:
        return 0.0
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def summarise(rows: list[tuple[str, int, float]]) -> dict:
    by_page: dict[str, list[float]] = defaultdict(list)
    for page, _status, ms in rows:
        by_page[page].append(ms)
    pages = {page: _figures(values) for page, values in sorted(by_page.items())}
    return {"pages": pages, "overall": _figures([ms for _p, _s, ms in rows])}


def _figures(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "max_ms": round(values[-1], 1) if values else 0.0,
    }


def message_of(body: str) -> str:
    """The flash messages and error summary of a page, as text, for the error sample."""
    found = [TAG_RE.sub("", text).strip() for _kind, text in MESSAGE_RE.findall(body)]
    summary = re.search(r'id="error-summary".*?</div>\s*</div>', body, re.S)
    if summary:
        found.append(" ".join(TAG_RE.sub(" ", summary.group(0)).split()))
    return " / ".join(found) or "(no message on the page)"


class Browser:
    """One user's browser: a cookie jar that honours Secure, timings, and either one connection
    per request (keep_alive=0: what gunicorn sees behind nginx, whose upstream connections are
    not kept alive by default) or one kept-alive connection per user (a browser straight at
    gunicorn)."""

    def __init__(
        self,
        base_url: str,
        stats: Stats,
        page_name: Callable[[str], str],
        stop: threading.Event,
        timeout: float = 30.0,
        keep_alive: float = 0.0,
    ):
        self.base_url = base_url.rstrip("/")
        parts = urllib.parse.urlsplit(self.base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.stats = stats
        self.page_name = page_name
        self.stop = stop
        self.timeout = timeout
        # Close an idle connection a second before the server would, so that a request never
        # races the server's keep-alive close (that failure would be the client's, not the app's).
        self.keep_alive = keep_alive > 0
        self.max_idle = max(0.5, keep_alive - 1.0)
        self.jar = http.cookiejar.CookieJar()
        self.connection: http.client.HTTPConnection | None = None
        self.last_used = 0.0
        self.referer = ""

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, method: str, path: str, data: dict | None = None, label: str = "") -> Response:
        if self.stop.is_set():
            raise Stop
        url = self.base_url + path
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Accept", "text/html,application/xhtml+xml")
        request.add_header("Accept-Language", "zh-CN,zh;q=0.9")
        request.add_header("User-Agent", "reportportal-loadtest")
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            request.add_header("Origin", self.base_url)
        if self.referer:
            request.add_header("Referer", self.referer)
        if not self.keep_alive:
            request.add_header("Connection", "close")
        self.jar.add_cookie_header(request)
        page = f"{method} {self.page_name(path)}" + (f":{label}" if label else "")

        now = time.monotonic()
        if self.connection is not None and now - self.last_used > self.max_idle:
            self.close()
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=dict(request.header_items()))
            raw = self.connection.getresponse()
            content = raw.read()
        except (OSError, http.client.HTTPException) as exc:
            ms = (time.perf_counter() - started) * 1000
            self.close()
            self.stats.record(page, 0, ms, started)
            self.stats.error(page, type(exc).__name__, f"{type(exc).__name__}: {exc}")
            raise Unexpected(str(exc), counted=True) from None
        ms = (time.perf_counter() - started) * 1000
        self.last_used = time.monotonic()
        if raw.will_close:
            self.close()
        self.stats.record(page, raw.status, ms, started)
        self.jar.extract_cookies(raw, request)
        return Response(
            method,
            path,
            raw.status,
            raw.getheader("Location", ""),
            content.decode("utf-8", errors="replace"),
        )

    def page(self, method: str, path: str, data: dict | None = None, label: str = "") -> Response:
        """One request; a status other than 200/302 (a 5xx, a 403, a 404 …) is an error."""
        response = self.send(method, path, data, label)
        if response.status not in (200, 302):
            name = f"{method} {self.page_name(path)}" + (f":{label}" if label else "")
            kind = f"HTTP {response.status}"
            self.stats.error(name, kind, f"{kind} for {path}")
            raise Unexpected(kind, counted=True)
        return response

    def get(self, path: str, allowed_404: bool = False) -> Response:
        """A page, following redirects as a browser does; each hop is timed on its own."""
        for _hop in range(5):
            if allowed_404:
                response = self.send("GET", path)
                if response.status == 404:
                    return response
                if response.status not in (200, 302):
                    self._fail("GET", path, f"HTTP {response.status}", f"for {path}")
            else:
                response = self.page("GET", path)
            if response.status == 200:
                self.referer = self.base_url + path
                return response
            path = self._local(response.location)
        self._fail("GET", path, "redirect loop", "more than 5 redirects")

    def post(self, path: str, data: dict, label: str, expect: str) -> Response:
        """A form post that must redirect to `expect` (a regex over the path), then the page."""
        response = self.page("POST", path, data, label)
        if response.status != 302:
            self._fail(
                "POST", path, "form refused", message_of(response.body), label, response.status
            )
        target = self._local(response.location)
        if not re.fullmatch(expect, target):
            self._fail("POST", path, "unexpected redirect", f"to {target}", label)
        return self.get(target)

    def _local(self, location: str) -> str:
        parts = urllib.parse.urlsplit(location)
        if parts.netloc and parts.netloc != f"{self.host}:{self.port}":
            raise Unexpected(f"redirect off site: {location}")
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _fail(self, method, path, kind, message, label="", status=None) -> NoReturn:
        name = f"{method} {self.page_name(path)}" + (f":{label}" if label else "")
        detail = f"HTTP {status}, {message}" if status else message
        self.stats.error(name, kind, detail)
        raise Unexpected(f"{kind}: {detail}", counted=True)


def csrf_of(response: Response) -> str:
    match = CSRF_RE.search(response.body)
    if not match:
        raise Unexpected(f"no CSRF token on {response.path}")
    return match.group(1)


@dataclass
class Shared:
    """What users learn about each other: the clerks' report ids (a reviewer may open one just
    as its clerk withdraws it; that 404 is the application being right, not an error)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    clerk_reports: set = field(default_factory=set)
    withdrawn_404: int = 0


class SimUser(ABC):
    def __init__(
        self,
        *,
        username: str,
        password: str,
        browser: Browser,
        shared: Shared,
        year: int,
        think: float,
        seed: int,
    ):
        self.username = username
        self.password = password
        self.browser = browser
        self.stats = browser.stats
        self.shared = shared
        self.year = year
        self.think_max = think
        self.rng = random.Random(seed)

    def think(self) -> None:
        # A short pause between pages: a deadline-day burst, not a user reading for minutes.
        if self.browser.stop.wait(self.rng.uniform(0, self.think_max)):
            raise Stop

    def login(self) -> Response:
        form = self.browser.get("/login/")
        page = self.browser.post(
            "/login/",
            {
                "csrfmiddlewaretoken": csrf_of(form),
                "username": self.username,
                "password": self.password,
                "next": "",
            },
            label="",
            expect=r"/",
        )
        if 'action="/logout/"' not in page.body:
            raise Unexpected("not logged in after the log-in form")
        return page

    @abstractmethod
    def cycle(self) -> None:
        """One round of this kind of user's pages (Clerk, Reviewer)."""

    def _count(self, exc: Unexpected, where: str) -> None:
        if not exc.counted:
            self.stats.error(where, "flow", str(exc))

    def run(
        self, login_slots: threading.Semaphore, logged_in: threading.Barrier, go: threading.Event
    ) -> None:
        ok = False
        try:
            try:
                # A few at a time, as people arrive in the morning: a log-in hashes the password
                # (PBKDF2, a quarter of a second of CPU), and sixty at once would only measure that.
                with login_slots:
                    self.landing = self.login()
                ok = True
            except Unexpected as exc:
                self._count(exc, "log-in")  # this user sits the run out
            except Stop:
                return
            logged_in.wait()
            go.wait()
            if ok:
                self.think()  # users do not all click at the same instant when the window opens
            while ok and not self.browser.stop.is_set():
                try:
                    self.cycle()
                except Unexpected as exc:
                    # Start a fresh cycle, which re-reads the state from the pages.
                    self._count(exc, type(self).__name__.lower())
                    if self.browser.stop.wait(0.5):
                        break
        except (Stop, threading.BrokenBarrierError):
            pass
        finally:
            self.browser.close()


class Clerk(SimUser):
    """Opens the township page, edits and saves the draft a few times, submits, looks at the
    sent report and its score, then withdraws it (as a clerk who spots a typo) and goes on, so
    that writes continue through the whole run."""

    def __init__(self, *, township, **kwargs):
        super().__init__(**kwargs)
        self.township = township
        self.report_id: int | None = None
        self.codes: list[str] = []
        self.figures: dict[str, int | None] = {}
        self.saves = 0

    def cycle(self) -> None:
        home = self.browser.get("/township/")
        status = self._status_on(home)
        self.think()
        if self.report_id is None or status == "not-started":
            self.report_id = self._start(home)
            with self.shared.lock:
                self.shared.clerk_reports.add(self.report_id)
            self.think()
        if status == "submitted":
            self._withdraw()  # left sent by an interrupted cycle: bring it back
            self.think()
        for _ in range(self.rng.randint(2, 5)):
            self._save()
            self.think()
        self._submit()
        self.think()
        for _ in range(self.rng.randint(2, 4)):
            self._view()
            self.think()
        self._withdraw()
        self.think()

    def _row_for_year(self, home: Response) -> str:
        for row in home.body.split("<tr>"):
            if f"{self.year}年度</td>" in row:
                return row
        raise Unexpected(f"no row for {self.year} on the township page")

    def _status_on(self, home: Response) -> str:
        match = STATUS_RE.search(self._row_for_year(home))
        return match.group(1) if match else "unknown"

    def _start(self, home: Response) -> int:
        row = self._row_for_year(home)
        found = re.search(r'href="/reports/(\d+)/(?:edit/)?"', row)
        if found:
            return int(found.group(1))
        start = f"/township/start/{self.year}/"
        if f'action="{start}"' not in row:
            raise Unexpected("neither a report nor 开始填报 on the township page")
        page = self.browser.post(
            start, {"csrfmiddlewaretoken": csrf_of(home)}, "", r"/reports/\d+/edit/"
        )
        found = re.match(r"/reports/(\d+)/", page.path)
        assert found is not None  # the redirect was checked against this pattern
        return int(found.group(1))

    def _form(self, edit: Response, version: int) -> dict:
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
        figures = self.figures
        parts = generated_parts(self.township, self.year, figures)
        parts["other"] = f"压测第 {self.saves} 次保存（{time.strftime('%H:%M:%S')}）。"
        data = {"csrfmiddlewaretoken": csrf_of(edit), "version": str(version), **parts}
        for code, value in figures.items():
            data[f"fig_{code}"] = "" if value is None else str(value)
        return data

    def _edit_page(self) -> tuple[Response, int]:
        edit = self.browser.get(f"/reports/{self.report_id}/edit/")
        match = VERSION_RE.search(edit.body)
        if not match:
            raise Unexpected("no version field on the edit page (report not editable?)")
        return edit, int(match.group(1))

    def _save(self) -> None:
        edit, version = self._edit_page()
        self.think()  # typing
        path = f"/reports/{self.report_id}/edit/"
        data = self._form(edit, version) | {"save": ""}
        page = self.browser.post(path, data, "save", re.escape(path))
        self._expect_message(page, "POST report_edit:save", "草稿已保存")
        after = VERSION_RE.search(page.body)
        if not after or int(after.group(1)) != version + 1:
            # The clerk is the only writer of this report: anything else is a lost or extra save.
            self.stats.error(
                "POST report_edit:save", "version", f"{version} → {after and after[1]}"
            )
            raise Unexpected("version did not advance by one", counted=True)
        self.stats.count("saves")

    def _submit(self) -> None:
        detail_path = f"/reports/{self.report_id}/"
        if self.rng.random() < 0.5:
            # 保存并提交 on the edit form.
            edit, version = self._edit_page()
            self.think()
            path = f"/reports/{self.report_id}/edit/"
            data = self._form(edit, version) | {"submit": ""}
            page = self.browser.post(path, data, "submit", re.escape(detail_path))
            label = "POST report_edit:submit"
        else:
            # 报送 on the report page (report_act).
            detail = self.browser.get(detail_path)
            self.think()
            page = self.browser.post(
                f"/reports/{self.report_id}/act/submit/",
                {"csrfmiddlewaretoken": csrf_of(detail)},
                "submit",
                re.escape(detail_path),
            )
            label = "POST report_act:submit"
        self._expect_message(page, label, "已提交至县级审核")
        self.stats.count("submits")

    def _view(self) -> None:
        choice = self.rng.random()
        if choice < 0.4:
            self.browser.get(f"/reports/{self.report_id}/")
        elif choice < 0.7:
            self.browser.get(f"/reports/{self.report_id}/score/")
        elif choice < 0.85:
            match = SCORES_LINK_RE.search(self.landing.body)
            self.browser.get(f"/townships/{match.group(1)}/scores/" if match else "/township/")
        else:
            self.browser.get("/township/")

    def _withdraw(self) -> None:
        detail_path = f"/reports/{self.report_id}/"
        detail = self.browser.get(detail_path)
        self.think()
        page = self.browser.post(
            f"/reports/{self.report_id}/act/withdraw/",
            {"csrfmiddlewaretoken": csrf_of(detail)},
            "withdraw",
            re.escape(detail_path),
        )
        self._expect_message(page, "POST report_act:withdraw", "已撤回")
        self.stats.count("withdrawals")

    def _expect_message(self, page: Response, name: str, success: str) -> None:
        messages = MESSAGE_RE.findall(page.body)
        if not any(kind == "success" and success in text for kind, text in messages):
            self.stats.error(name, "no success message", message_of(page.body))
            raise Unexpected(f"{name} did not succeed", counted=True)


class Reviewer(SimUser):
    """Looks over the county: dashboard, ranking (sometimes re-sorted), queue, one report."""

    SORTS = ("total", "total", "name", "legal_advisor_coverage", "mediation_success_rate")

    def cycle(self) -> None:
        county = self.browser.get(f"/county/?year={self.year}")
        self.think()
        sort = self.rng.choice(self.SORTS)
        self.browser.get(
            f"/ranking/?year={self.year}" + ("" if sort == "total" else f"&sort={sort}")
        )
        self.think()
        queue = self.browser.get("/review/")
        self.think()
        ids = REVIEW_LINK_RE.findall(queue.body) or REVIEW_LINK_RE.findall(county.body)
        if not ids:
            return
        report_id = int(self.rng.choice(ids))
        if not self._report_page(f"/reports/{report_id}/review/", report_id):
            return
        self.think()
        if self.rng.random() < 0.3:
            self._report_page(f"/reports/{report_id}/score/", report_id)
            self.think()

    def _report_page(self, path: str, report_id: int) -> bool:
        page = self.browser.get(path, allowed_404=True)
        if page.status != 404:
            return True
        with self.shared.lock:
            withdrawn = report_id in self.shared.clerk_reports
            if withdrawn:
                self.shared.withdrawn_404 += 1
        if not withdrawn:
            name = f"GET {self.browser.page_name(path)}"
            self.stats.error(name, "HTTP 404", f"report {report_id} (not a clerk's report)")
        return False


def run_load(
    *,
    base_url: str,
    clerks: list[dict],
    reviewers: list[dict],
    password: str,
    year: int,
    seconds: float,
    think: float,
    page_name: Callable[[str], str],
    keep_alive: float,
    login_concurrency: int,
    log: Callable[[str], None],
    sample: Callable[[], dict[str, float]] = dict,
) -> dict:
    """Logs every user in, runs them for `seconds`, stops them, and returns the figures.

    `sample()` returns cumulative counters (CPU seconds of the server, …), read when the window
    opens and when it closes; the differences are returned under "window"."""
    stats = Stats()
    shared = Shared()
    stop = threading.Event()
    go = threading.Event()
    users: list[SimUser] = []
    for index, spec in enumerate(clerks + reviewers):
        browser = Browser(base_url, stats, page_name, stop, keep_alive=keep_alive)
        common = {
            "username": spec["username"],
            "password": password,
            "browser": browser,
            "shared": shared,
            "year": year,
            "think": think,
            "seed": 1000 + index,
        }
        if "township" in spec:
            users.append(Clerk(township=spec["township"], **common))
        else:
            users.append(Reviewer(**common))
    logged_in = threading.Barrier(len(users) + 1)
    login_slots = threading.Semaphore(login_concurrency)
    threads = [
        threading.Thread(
            target=user.run, args=(login_slots, logged_in, go), name=user.username, daemon=True
        )
        for user in users
    ]
    login_started = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        logged_in.wait(timeout=300)
        login_seconds = time.perf_counter() - login_started
        log(f"{len(users)} 个用户已登录（{login_seconds:.1f} 秒），开始 {seconds:g} 秒压测 …")
        cpu_before = time.process_time()
        counters_before = sample()
        with stats.lock:
            stats.measuring = True
            started = time.perf_counter()
            stats.window_end = started + seconds
        go.set()
        stop.wait(seconds)
        counters_after = sample()
    finally:
        stop.set()
        go.set()
        logged_in.abort()
        # One deadline for all: a user waits at most for its request in flight (30 s timeout).
        deadline = time.monotonic() + 35
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
    elapsed = time.perf_counter() - started
    # The simulated users share the machine with the server: what they cost is part of the story.
    client_cpu = time.process_time() - cpu_before
    run = summarise(stats.run)
    login = summarise(stats.login)
    return {
        "login_seconds": round(login_seconds, 1),
        "login": login["overall"] | {"pages": login["pages"]},
        "duration_seconds": round(elapsed, 1),
        "total_requests": len(stats.run),
        "requests_per_second": round(len(stats.run) / seconds, 1),
        "pages": run["pages"],
        "overall": run["overall"],
        "errors": {
            "count": stats.errors,
            "by_kind": dict(stats.error_kinds.most_common()),
            "sample": stats.error_sample,
        },
        "actions": dict(stats.actions)
        | {"reviewer_404_on_withdrawn_report (expected)": shared.withdrawn_404},
        "stuck_users": sum(thread.is_alive() for thread in threads),
        "client_cpu_seconds": round(client_cpu, 1),
        "window": {
            key: round(counters_after[key] - counters_before.get(key, 0.0), 2)
            for key in counters_after
        },
    }
