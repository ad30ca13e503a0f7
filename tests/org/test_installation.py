"""Installation without a superuser: the three administrators, once."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from org.models import AccountSecurity, AuditEvent, Membership

pytestmark = pytest.mark.django_db


def create(**names):
    out = io.StringIO()
    call_command("create_administrators", *[f"--{k}={v}" for k, v in names.items()], stdout=out)
    return out.getvalue()


def test_the_three_administrators_are_made_once_with_passwords_to_change():
    printed = create(system="sys1", security="sec1", audit="aud1")
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"sys1": "admin", "sec1": "security", "aud1": "auditor"}
    assert not User.objects.filter(is_superuser=True).exists()
    assert AccountSecurity.objects.filter(must_change_password=True).count() == 3
    assert "sys1" in printed and "首次登录须修改临时密码" in printed
    assert AuditEvent.objects.filter(event="account_created").count() == 3

    with pytest.raises(CommandError, match="系统已有管理员账号"):
        create(system="sys2", security="sec2", audit="aud2")
    assert not User.objects.filter(username="sys2").exists()


def test_one_person_cannot_take_two_of_the_roles():
    with pytest.raises(CommandError, match="三个不同的账号"):
        create(system="same", security="same", audit="aud1")
    assert not User.objects.exists()
