"""Log-in and web security (issue 7, point 3): lock-out after failed log-ins, the Content Security
Policy and the other headers, production settings (`check --deploy`), upload limits, and report text
with HTML or script in it shown as text on every page and in the PDF."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from reports.services.comments import comment_add
from reports.services.drafts import report_save_draft
from reports.services.transitions import report_approve, report_publish, report_submit
from tests.exports.test_pdf import pdf_text

ROOT = Path(settings.BASE_DIR)
LOCKED = "账号已被暂时锁定"
WRONG = "用户名或密码不正确"


# --- lock-out after failed log-ins ------------------------------------------------------------


def log_in(client, username, password, ip="10.1.2.3"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(client, username, times, ip="10.1.2.3"):
    for _ in range(times):
        response = log_in(client, username, "wrong-password", ip)
    return response


def test_a_wrong_password_is_refused_in_chinese(client, personas):
    response = log_in(client, "lianchi", "wrong-password")
    assert response.status_code == 200
    text = response.content.decode()
    assert WRONG in text and "连续输错 5 次后，该账号将被锁定 30 分钟" in text
    assert LOCKED not in text


def test_five_failures_lock_the_account_even_against_the_right_password(client, personas):
    fail(client, "lianchi", 4)
    assert log_in(client, "lianchi", "wrong-password").status_code == 429  # the fifth
    response = log_in(client, "lianchi", "demo1234")
    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED in text and "连续 5 次登录失败" in text and "之后再试" in text
    assert "系统管理员解锁" in text
    assert 'name="username"' in text  # the log-in form is still there, for another account
    assert "_auth_user_id" not in client.session


def test_a_lock_out_leaves_other_users_and_the_same_user_elsewhere_alone(client, personas):
    fail(client, "lianchi", 5)
    # Another clerk behind the same office NAT address logs in as usual.
    response = log_in(client, "huatai", "demo1234")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(
        personas.clerk_huatai.pk
    )
    client.logout()
    # The lock is on user name and address together: the owner at another desk is not locked.
    assert log_in(client, "lianchi", "demo1234", ip="10.9.9.9").status_code == 302


def test_a_successful_log_in_resets_the_failures(client, personas):
    fail(client, "lianchi", 4)
    assert log_in(client, "lianchi", "demo1234").status_code == 302
    assert not AccessAttempt.objects.filter(username="lianchi").exists()
    client.logout()
    fail(client, "lianchi", 4)
    assert log_in(client, "lianchi", "demo1234").status_code == 302


def test_the_security_administrator_unlocks_in_the_portal(client, personas):
    fail(client, "lianchi", 5)
    assert AccessAttempt.objects.filter(username="lianchi").exists()
    client.force_login(personas.security)
    assert "已锁定" in client.get(reverse("people")).content.decode()
    response = client.post(reverse("people_unlock", args=[personas.clerk_lianchi.pk]))
    assert response.status_code == 302
    client.logout()
    assert log_in(client, "lianchi", "demo1234").status_code == 302


# --- headers and the Content Security Policy ----------------------------------------------------


def test_security_headers_and_csp(client, personas):
    client.force_login(personas.clerk_lianchi)
    response = client.get(reverse("township_home"))
    csp = dict(
        (part.split(" ", 1) + [""])[:2]
        for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no nonce
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert csp["base-uri"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_templates_have_no_inline_script_style_or_handlers():
    offending = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle\s*=",
            r"\son[a-z]+\s*=",
            r"javascript:",
        ):
            offending += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(pattern, text, re.I)]
    assert offending == []


def test_htmx_is_a_static_file_and_may_not_inject_its_style(client, personas):
    text = client.get(reverse("login")).content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min[^"]*\.js" defer>', text)
    assert '"includeIndicatorStyles": false' in text
    assert ".htmx-indicator" in (ROOT / "static" / "css" / "portal.css").read_text()


class Markup(HTMLParser):
    """The elements, attributes and visible text of a page, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def inline_code(self) -> list[str]:
        """What a strict CSP would refuse: inline scripts, style elements or attributes, handlers."""
        found = []
        for tag, attrs in self.elements:
            if tag == "script" and "src" not in attrs or tag == "style":
                found.append(f"<{tag}>")
            found += [
                f"<{tag} {name}>" for name in attrs if name == "style" or name.startswith("on")
            ]
            found += [
                f"<{tag} {name}={value}>"
                for name, value in attrs.items()
                if (value or "").strip().lower().startswith("javascript:")
            ]
        return found


# --- report text with HTML or script in it ------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><b>']
HOSTILE_TEXT = "甲" + "乙".join(HOSTILE) + "丙"


def assert_shown_as_text(html: str, where: str) -> None:
    for raw in HOSTILE:
        assert raw not in html, (where, raw)
    page = Markup(html)
    assert HOSTILE_TEXT in "".join(page.text), where  # the literal text is there to read
    assert not [e for e in page.elements if e[0] == "script" and "src" not in e[1]], where
    assert not [e for e in page.elements if e[0] == "img" and e[1].get("src") == "x"], where
    assert not [e for e in page.elements if e[0] == "b"], where
    assert page.inline_code() == [], where


@pytest.fixture
def hostile_report(personas, draft, full_parts):
    return report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts={key: f"{value}\n{HOSTILE_TEXT}" for key, value in full_parts.items()},
        figures={},
    )


def test_report_text_with_html_is_shown_as_text_everywhere(client, personas, hostile_report):
    report = hostile_report
    client.force_login(personas.clerk_lianchi)
    for name in ("report_edit", "report_detail"):
        assert_shown_as_text(client.get(reverse(name, args=[report.pk])).content.decode(), name)

    report = report_submit(report=report, actor=personas.clerk_lianchi)
    comment_add(
        report=report, actor=personas.reviewer_shenqiu, target="shortcomings", body=HOSTILE_TEXT
    )
    client.force_login(personas.reviewer_shenqiu)
    for name in ("report_review", "report_detail"):
        assert_shown_as_text(client.get(reverse(name, args=[report.pk])).content.decode(), name)

    report = report_approve(report=report, actor=personas.reviewer_shenqiu)
    report = report_publish(report=report, actor=personas.reviewer_shenqiu)
    client.logout()
    page = client.get(reverse("public_report", args=[report.pk])).content.decode()
    assert_shown_as_text(page, "public_report")

    pdf = client.get(reverse("public_report_pdf", args=[report.pk]))
    text = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    for raw in HOSTILE:  # pdf_text drops white space
        assert re.sub(r"\s+", "", raw) in text, raw


def test_pages_of_every_role_carry_no_inline_code(client, personas, hostile_report):
    report_submit(report=hostile_report, actor=personas.clerk_lianchi)
    pages = {
        None: ["login", "public_index"],
        personas.clerk_lianchi: ["township_home"],
        personas.reviewer_shenqiu: ["review_queue", "county_home", "ranking"],
        personas.admin: ["admin_home", "ranking", "admin:index", "admin:reports_report_changelist"],
    }
    for user, names in pages.items():
        client.logout()
        if user:
            client.force_login(user)
        for name in names:
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            assert Markup(response.content.decode()).inline_code() == [], name


# --- production settings ------------------------------------------------------------------------


# Set by the browser tests' conftest or by a developer's shell; they would change the verdict.
NOT_INHERITED = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "USE_HTTPS",
    "SECURE_SSL_REDIRECT",
    "DEBUG",
}
NOT_INHERITED |= {"ALLOWED_HOSTS", "CELERY_BROKER_URL"}
NOT_INHERITED |= {"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"}
NOT_INHERITED |= {"SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"}


def manage(*args, **env):
    inherited = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = manage(
        "check",
        "--deploy",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.gov.cn",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "portal.example.gov.cn",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


@pytest.mark.parametrize(
    "missing, said",
    [
        ("SECRET_KEY", "必须设置 SECRET_KEY"),
        ("ALLOWED_HOSTS", "必须设置 ALLOWED_HOSTS"),
        ("CELERY_BROKER_URL", "必须设置 CELERY_BROKER_URL"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(missing, said):
    env = {name: value for name, value in PRODUCTION.items() if name != missing}
    result = manage("check", **env)
    assert result.returncode != 0 and said in result.stderr, result.stderr
    # The demo's fall-backs stay the demo's.
    assert manage("check", **{**env, "DEBUG": "true"}).returncode == 0


def test_tests_and_the_demo_run_over_plain_http():
    # The settings module was loaded with DEBUG on (the default), as scripts/demo.sh runs it.
    assert not settings.SECURE_SSL_REDIRECT
    assert not settings.SESSION_COOKIE_SECURE and not settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS == 0


# --- uploads ------------------------------------------------------------------------------------


def test_upload_limits():
    assert settings.REPORT_UPLOAD_MAX_BYTES == 5 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.REPORT_UPLOAD_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000


def test_a_request_with_too_many_fields_is_refused(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    data = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert client.post(reverse("review_queue_approve"), data).status_code == 400
