"""The controls 等保 2.0 level 3 asks of the application, each shown to work (and to refuse)."""

import datetime
import time

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from org.audit import purge_expired
from org.middleware import SEEN
from org.models import AccountSecurity, AuditEvent, Membership
from org.services import accounts_disable_unused, membership_assign
from tests.factories import UserFactory


def log_in(client, username, password="demo1234"):
    return client.post(reverse("login"), {"username": username, "password": password})


# --- the audit log ---------------------------------------------------------------------------


def test_the_audit_log_refuses_update_and_delete_from_the_application(db):
    AuditEvent.objects.create(event=AuditEvent.Event.LOGIN, username="lianchi")
    for statement in (
        "UPDATE org_auditevent SET username = 'someone'",
        "DELETE FROM org_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.get().username == "lianchi"
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_rows_past_the_retention_are_purged_and_no_younger_one(db, settings):
    settings.AUDIT_RETENTION_DAYS = 200
    old = AuditEvent.objects.create(
        event=AuditEvent.Event.LOGIN, at=timezone.now() - datetime.timedelta(days=201)
    )
    kept = AuditEvent.objects.create(
        event=AuditEvent.Event.LOGIN, at=timezone.now() - datetime.timedelta(days=190)
    )
    assert purge_expired() == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_log_ins_moves_and_refusals_are_recorded_with_their_source(client, personas, full_parts):
    from tests.helpers import submit_report

    log_in(client, "lianchi", "wrong")
    log_in(client, "lianchi")
    client.get(reverse("report_detail", args=[999999]))  # not theirs: refused
    client.post(reverse("logout"))
    submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
    )
    events = list(
        AuditEvent.objects.filter(username="lianchi")
        .order_by("pk")
        .values_list("event", "username", "result")
    )
    assert events[:4] == [
        ("login_failed", "lianchi", "failed"),
        ("login", "lianchi", "ok"),
        ("refused", "lianchi", "refused"),
        ("logout", "lianchi", "ok"),
    ]
    assert AuditEvent.objects.filter(username="lianchi").exclude(ip="").count() == 4
    move = AuditEvent.objects.get(event="workflow")
    assert move.object_type == "reports.report" and "草稿 → 已报送" in move.detail


def test_only_the_auditor_reads_and_exports_the_log(client, personas):
    AuditEvent.objects.create(event=AuditEvent.Event.LOGIN, username="=cmd|' /C calc'!A0")
    for persona in (personas.admin, personas.security, personas.reviewer_shenqiu):
        client.force_login(persona)
        assert client.get(reverse("audit_log")).status_code == 403
        assert client.get(reverse("audit_export")).status_code == 403
    client.force_login(personas.auditor)
    page = client.get(reverse("audit_log") + "?event=login")
    assert page.status_code == 200 and "cmd|" in page.content.decode()
    export = b"".join(client.get(reverse("audit_export")).streaming_content).decode("utf-8-sig")
    assert "'=cmd|" in export  # written as text, never as a formula
    # The auditor changes nothing else: no report, no account, no configuration.
    assert client.get(reverse("people")).status_code == 403
    assert client.get(reverse("admin_home")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302  # not staff


# --- passwords -------------------------------------------------------------------------------


def change(client, old, new):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_passwords_need_three_kinds_not_the_user_name_and_not_a_recent_one(client, personas):
    client.force_login(personas.clerk_lianchi)
    for weak, message in (
        ("abcdefghij", "至少 3 类"),
        ("Lianchi-2024x", "不能包含用户名"),
        ("Ab1", "至少 8 个字符"),
    ):
        page = change(client, "demo1234", weak)
        assert page.status_code == 200 and message in page.content.decode(), weak
    passwords = ["Qw-2024-aa1", "Qw-2024-aa2", "Qw-2024-aa3", "Qw-2024-aa4", "Qw-2024-aa5"]
    current = "demo1234"
    for new in passwords:
        assert change(client, current, new).status_code == 302, new
        current = new
    reused = change(client, current, passwords[0])
    assert "最近 5 次" in reused.content.decode()
    assert change(client, current, "Qw-2024-aa6").status_code == 302


def test_an_old_password_must_be_changed_at_log_in(client, personas, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    AccountSecurity.objects.create(
        user=personas.clerk_lianchi,
        password_changed_at=timezone.now() - datetime.timedelta(days=91),
    )
    log_in(client, "lianchi")
    response = client.get(reverse("township_home"))
    assert response["Location"] == reverse("password_change")
    assert "超过 90 天" in client.get(reverse("password_change")).content.decode()


# --- sessions --------------------------------------------------------------------------------


def test_an_idle_session_ends_on_the_server(client, personas, settings):
    settings.SESSION_IDLE_SECONDS = 1800
    log_in(client, "lianchi")
    assert client.get(reverse("township_home")).status_code == 200
    session = client.session
    session[SEEN] = time.time() - 1801
    session.save()
    key = session.session_key
    response = client.get(reverse("township_home"))
    assert response.status_code == 302 and "expired=1" in response["Location"]
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("township_home")).status_code == 302


@pytest.mark.parametrize(
    "engine",
    # cached_db is production's (with the shared cache): an ended session must leave the cache.
    ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"],
)
def test_log_out_ends_the_session_and_the_security_admin_ends_them_all(
    client, personas, settings, engine
):
    from django.contrib.sessions.models import Session

    settings.SESSION_ENGINE = engine

    first, second = Client(), Client()
    log_in(first, "lianchi")
    log_in(second, "lianchi")
    assert personas.clerk_lianchi.portal_sessions.count() == 2
    key = first.session.session_key
    first.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert personas.clerk_lianchi.portal_sessions.count() == 1
    client.force_login(personas.security)
    client.post(reverse("people_sessions_end", args=[personas.clerk_lianchi.pk]))
    assert second.get(reverse("township_home")).status_code == 302  # signed out
    assert personas.clerk_lianchi.portal_sessions.count() == 0


# --- the second factor ----------------------------------------------------------------------


def test_a_reviewer_logs_in_with_a_second_factor_when_it_is_on(client, personas, settings):
    settings.SECOND_FACTOR_REQUIRED = True
    log_in(client, "shenqiu")
    blocked = client.get(reverse("county_home"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("second_factor"))
    setup = client.get(reverse("second_factor"))
    assert "绑定手机验证器" in setup.content.decode() and "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=personas.reviewer_shenqiu)
    wrong = client.post(reverse("second_factor"), {"token": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    time.sleep(2.1)  # django-otp waits a little longer after each wrong code
    codes_page = client.post(reverse("second_factor"), {"token": totp(device.bin_key)})
    codes = codes_page.context["codes"]
    assert len(codes) == 10
    assert client.get(reverse("county_home")).status_code == 200

    # The next log-in asks for a code; a recovery code works once.
    again = Client()
    log_in(again, "shenqiu")
    assert again.get(reverse("county_home")).status_code == 302
    assert again.post(reverse("second_factor"), {"token": codes[0]}).status_code == 302
    assert again.get(reverse("county_home")).status_code == 200
    third = Client()
    log_in(third, "shenqiu")
    assert "已使用过" in third.post(reverse("second_factor"), {"token": codes[0]}).content.decode()


def test_a_new_reviewer_changes_the_temporary_password_then_sets_up_the_second_factor(
    client, personas, settings
):
    settings.SECOND_FACTOR_REQUIRED = True
    AccountSecurity.objects.update_or_create(
        user=personas.reviewer_shenqiu, defaults={"must_change_password": True}
    )
    log_in(client, "shenqiu")
    # One page leads to the next, never back: no redirect loop between the two.
    page = client.get(reverse("county_home"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("password_change")
    assert page.status_code == 200 and "临时密码" in page.content.decode()
    changed = client.post(
        reverse("password_change"),
        {
            "old_password": "demo1234",
            "new_password1": "Fazhi-2026-Strong",
            "new_password2": "Fazhi-2026-Strong",
        },
        follow=True,
    )
    assert changed.redirect_chain[-1][0].startswith(reverse("second_factor"))
    assert "绑定手机验证器" in changed.content.decode()


def test_clerks_need_no_second_factor(client, personas, settings):
    settings.SECOND_FACTOR_REQUIRED = True
    log_in(client, "lianchi")
    assert client.get(reverse("township_home")).status_code == 200


# --- accounts and personal data ---------------------------------------------------------------


def test_dormant_accounts_are_disabled(db, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 90
    dormant = UserFactory(username="dormant")
    User.objects.filter(pk=dormant.pk).update(
        last_login=timezone.now() - datetime.timedelta(days=91)
    )
    recent = UserFactory(username="recent")
    User.objects.filter(pk=recent.pk).update(last_login=timezone.now())
    assert accounts_disable_unused() == 1
    assert not User.objects.get(pk=dormant.pk).is_active
    assert User.objects.get(pk=recent.pk).is_active
    assert AuditEvent.objects.filter(event="account_active", object_id=str(dormant.pk)).exists()


def test_e_mail_addresses_are_masked_on_the_user_page(client, personas):
    personas.clerk_lianchi.email = "lianchi.clerk@example.org"
    personas.clerk_lianchi.save()
    client.force_login(personas.security)
    page = client.get(reverse("people")).content.decode()
    assert "lianchi.clerk@example.org" not in page and "l***@example.org" in page


def test_no_account_holds_two_administrator_roles(personas):
    membership_assign(user=personas.admin, role=Membership.Role.SECURITY)
    assert Membership.objects.filter(user=personas.admin).count() == 1
    assert Membership.objects.get(user=personas.admin).role == Membership.Role.SECURITY
