"""The navigation bar built in Python (org.templatetags.page_frame) draws what the template's
conditions and {% url %} tags drew, for every role, and the remembered addresses follow the
settings they come from."""

from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.templatetags.static import static
from django.test import RequestFactory
from django.test.html import parse_html
from django.test.utils import override_settings
from django.urls import reverse, set_script_prefix

from org.access import membership_of, pages
from org.models import City, Membership
from org.services import membership_assign
from tests.factories import UserFactory

# base.html's navigation before it moved to page_frame: the reference the tags must match.
BEFORE = """
{% if "township" in pages %}
  <li class="nav-item"><a class="nav-link" href="{% url 'township_home' %}">本乡镇报告</a></li>
  <li class="nav-item"><a class="nav-link" href="{% url 'township_scores' membership.township_id %}">历年得分</a></li>
{% endif %}
{% if "overview" in pages %}<li class="nav-item"><a class="nav-link" href="{% url 'admin_home' %}">全部报送情况</a></li>{% endif %}
{% if "review_queue" in pages %}<li class="nav-item"><a class="nav-link" href="{% url 'review_queue' %}">待审核</a></li>{% endif %}
{% if "county" in pages %}<li class="nav-item"><a class="nav-link" href="{% url 'county_home' %}">{% if membership.city_id %}本市各县报送情况{% else %}本县报送情况{% endif %}</a></li>{% endif %}
{% if "ranking" in pages %}<li class="nav-item"><a class="nav-link" href="{% url 'ranking' %}">得分排名</a></li>{% endif %}
{% if "people" in pages %}<li class="nav-item"><a class="nav-link" href="{% url 'people' %}">用户管理</a></li>{% endif %}
{% if "audit" in pages %}<li class="nav-item"><a class="nav-link" href="{% url 'audit_log' %}">安全审计日志</a></li>{% endif %}
{% if "admin_site" in pages %}<li class="nav-item"><a class="nav-link" href="{% url 'admin:index' %}">系统管理</a></li>{% endif %}
<span>{{ user.get_full_name|default:user.username }}{% if membership %} · {{ membership.get_role_display }} · {{ membership.township|default:membership.county|default:membership.city|default:"全部地区" }}{% endif %}</span>
"""
AFTER = "{% load page_frame %}{% menu %}<span>{% signed_in_as %}</span>"


def frame(source: str, user) -> str:
    context = {"user": user, "membership": membership_of(user), "pages": pages(user)}
    return Template(source).render(Context(context))


def test_every_role_gets_the_same_menu_and_name(personas):
    city_reviewer = UserFactory(username="city", first_name="<b>周", last_name="市</b>")
    city = City.objects.create(province="河南省", name="周口市")
    membership_assign(user=city_reviewer, role=Membership.Role.CITY_REVIEWER, city=city)
    no_role = UserFactory(username="norole&co")
    users = [
        personas.clerk_lianchi,
        personas.reviewer_shenqiu,
        personas.admin,
        personas.security,
        personas.auditor,
        city_reviewer,
        no_role,
    ]
    drawn = set()
    for user in users:
        after = frame(AFTER, user)
        assert parse_html(after) == parse_html(frame(BEFORE, user)), user.username
        drawn.add(after)
    assert len(drawn) == len(users)
    assert "&lt;b&gt;周" in frame(AFTER, city_reviewer)
    assert "本市各县报送情况" in frame(AFTER, city_reviewer)
    assert reverse("township_scores", args=[personas.lianchi.pk]) in frame(
        AFTER, personas.clerk_lianchi
    )


def test_the_remembered_addresses_follow_the_settings(db):
    page = Template("{% load page_frame %}{% static_url 'css/portal.css' %} {% page_url 'home' %}")
    assert page.render(Context()) == f"{static('css/portal.css')} {reverse('home')}"
    with override_settings(STATIC_URL="/elsewhere/"):
        assert page.render(Context()).startswith("/elsewhere/css/portal.css")
    assert page.render(Context()) == f"{static('css/portal.css')} {reverse('home')}"


def test_pages_under_a_script_prefix_link_under_it(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    for prefix in ("/", "/portal/", "/"):
        set_script_prefix(prefix)
        try:
            html = client.get("/county/").content.decode()
        finally:
            set_script_prefix("/")
        assert f'href="{prefix}ranking/"' in html
        assert f'href="{prefix}notices/"' in html


def test_the_anonymous_frame_is_unchanged(rf: RequestFactory, db):
    request = rf.get("/")
    request.user = AnonymousUser()
    html = Template('{% extends "base.html" %}').render(Context({"request": request}))
    assert f'href="{reverse("login")}"' in html and f'href="{reverse("public_index")}"' in html
