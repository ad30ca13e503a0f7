"""The administrator's user page: an account with its role and place in one step, a temporary
password that must be changed at the first log-in, password resets, deactivation."""

import re

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from org.models import AccountSecurity, Membership


def temporary_password(response) -> str:
    return re.search(r'<code class="fs-4" id="password">([^<]+)</code>', response.content.decode())[
        1
    ]


def test_an_admin_creates_a_clerk_who_must_choose_a_password(client, personas):
    client.force_login(personas.security)
    response = client.post(
        reverse("people"),
        {
            "username": "xinclerk",
            "full_name": "新填报员",
            "role": Membership.Role.CLERK,
            "township": personas.lianchi.pk,
            "county": personas.shenqiu.pk,  # ignored for a clerk
        },
    )
    password = temporary_password(response)
    user = User.objects.get(username="xinclerk")
    assert (user.membership.role, user.membership.township, user.membership.county) == (
        Membership.Role.CLERK,
        personas.lianchi,
        None,
    )
    assert user.check_password(password)

    clerk = Client()
    logged = clerk.post(reverse("login"), {"username": "xinclerk", "password": password})
    assert logged.status_code == 302
    # Every page leads to the password form until a new password is chosen.
    assert clerk.get(reverse("township_home"))["Location"] == reverse("password_change")
    page = clerk.get(reverse("password_change")).content.decode()
    assert "临时密码" in page
    weak = clerk.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    new = "Lianchi-2024-new"
    done = clerk.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert done["Location"] == reverse("home")
    assert clerk.get(reverse("township_home")).status_code == 200
    assert not AccountSecurity.objects.get(user=user).must_change_password


def test_role_and_place_must_match(client, personas):
    client.force_login(personas.security)
    page = client.post(
        reverse("people"),
        {"username": "nocounty", "full_name": "审核员", "role": Membership.Role.REVIEWER},
    )
    assert "县级审核员须选择所属县" in page.content.decode()
    assert not User.objects.filter(username="nocounty").exists()
    taken = client.post(
        reverse("people"),
        {"username": "LIANCHI", "full_name": "重名", "role": Membership.Role.ADMIN},
    )
    assert "已被使用" in taken.content.decode()


def test_a_reset_password_ends_the_old_one_and_must_be_changed(client, personas):
    clerk = Client()
    clerk.force_login(personas.clerk_lianchi)
    client.force_login(personas.security)
    password = temporary_password(
        client.post(reverse("people_reset", args=[personas.clerk_lianchi.pk]))
    )
    personas.clerk_lianchi.refresh_from_db()
    assert personas.clerk_lianchi.check_password(password)
    # The old session ends with the old password.
    assert clerk.get(reverse("township_home")).status_code == 302
    assert AccountSecurity.objects.get(user=personas.clerk_lianchi).must_change_password


def test_deactivated_accounts_cannot_log_in_and_an_admin_keeps_their_own(client, personas):
    client.force_login(personas.security)
    client.post(reverse("people_active", args=[personas.clerk_lianchi.pk]), {"active": "0"})
    personas.clerk_lianchi.refresh_from_db()
    assert not personas.clerk_lianchi.is_active
    refused = Client().post(reverse("login"), {"username": "lianchi", "password": "demo1234"})
    assert refused.status_code == 200
    page = client.post(
        reverse("people_active", args=[personas.security.pk]), {"active": "0"}, follow=True
    )
    assert "不能停用自己" in page.content.decode()


def test_only_the_security_administrator_manages_people(client, personas):
    for persona in (personas.reviewer_shenqiu, personas.admin, personas.auditor):
        client.force_login(persona)
        assert client.get(reverse("people")).status_code == 403
        reset = reverse("people_reset", args=[personas.clerk_lianchi.pk])
        assert client.post(reset).status_code == 403


def test_the_place_lists_offer_the_chosen_place_only(client, personas):
    """With the whole country loaded the form would list every township: it lists the
    townships of the county chosen above, the counties of the city, the cities of the province."""
    from org.models import City, County, Township

    City.objects.create(province="河南省", name="周口市")
    far = County.objects.create(province="四川省", city="成都市", name="远方县")
    Township.objects.create(county=far, name="远方镇", kind=Township.Kind.ZHEN)
    client.force_login(personas.security)

    def new_account_form(response) -> str:
        html = response.content.decode()
        return html[html.index('id="new-account-place"') : html.index("创建账号</button>")]

    empty = new_account_form(client.get(reverse("people")))
    assert "莲池镇" not in empty and "远方镇" not in empty and "沈丘县" not in empty
    assert "请先在上方选择所在的省、市、县" in empty
    chosen = client.get(
        reverse("people"), {"province": "河南省", "city": "周口市", "county": personas.shenqiu.pk}
    )
    html = new_account_form(chosen)
    assert "莲池镇" in html and "远方镇" not in html and "民权县" not in html
    assert (
        f'action="?province=%E6%B2%B3%E5%8D%97%E7%9C%81&amp;city=%E5%91%A8%E5%8F%A3%E5%B8%82&amp;county={personas.shenqiu.pk}"'
        in html
    )
    # The account is created from the narrowed form, its place kept.
    response = client.post(
        reverse("people") + f"?county={personas.shenqiu.pk}",
        {"username": "xin2", "full_name": "新人", "role": "clerk", "township": personas.lianchi.pk},
    )
    assert response.status_code == 200
    assert User.objects.get(username="xin2").membership.township == personas.lianchi
    # A township of another county is still checked against every row, not refused for the list.
    client.post(
        reverse("people"),
        {
            "username": "xin3",
            "full_name": "远方",
            "role": "clerk",
            "township": Township.objects.get(name="远方镇").pk,
        },
    )
    assert User.objects.get(username="xin3").membership.township.name == "远方镇"


def test_the_people_page_queries_do_not_grow_with_the_map(client, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from org.models import County, Township

    client.force_login(personas.security)
    url = reverse("people") + f"?county={personas.shenqiu.pk}"
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    counties = County.objects.bulk_create(
        County(province="四川省", city=f"第{c}市", name=f"县{c}-{i}")
        for c in range(5)
        for i in range(20)
    )
    Township.objects.bulk_create(
        Township(county=county, name=f"镇{j}", kind=Township.Kind.ZHEN)
        for county in counties
        for j in range(10)
    )
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(after) == len(before)
    assert len(response.content) < 200_000
