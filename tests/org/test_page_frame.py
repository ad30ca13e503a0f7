"""The navigation bar built in Python (org.templatetags.page_frame) draws what the template's
conditions and {% url %} tags drew, for every role, and the remembered addresses follow the
settings they come from."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template import Context, Template, engines
from django.templatetags.static import static
from django.test import RequestFactory
from django.test.html import parse_html
from django.test.utils import override_settings
from django.urls import reverse, set_script_prefix

from org.access import membership_of, pages
from org.models import City, Membership
from org.services import membership_assign
from reports.models import Notice
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


@pytest.fixture
def every_role(personas):
    """A user of each role, a city reviewer whose name needs escaping, and one with no role."""
    city_reviewer = UserFactory(username="city", first_name="<b>周", last_name="市</b>")
    city = City.objects.create(province="河南省", name="周口市")
    membership_assign(user=city_reviewer, role=Membership.Role.CITY_REVIEWER, city=city)
    return [
        personas.clerk_lianchi,
        personas.reviewer_shenqiu,
        personas.admin,
        personas.security,
        personas.auditor,
        city_reviewer,
        UserFactory(username="norole&co"),
    ]


def test_every_role_gets_the_same_menu_and_name(personas, every_role):
    users = every_role
    city_reviewer = next(user for user in users if user.username == "city")
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


# base.html before its <body> tag, navigation bar, links and scripts were built by page_frame's
# frame_top, frame_links and frame_scripts: the reference they must match.
BASE_BEFORE = """{% load page_frame %}<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  {# Under the CSP htmx may not inject its indicator CSS (portal.css has it), eval, or run swapped-in scripts. #}
  <meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false, "allowScriptTags": false}'>
  <title>{% block title %}法治政府建设年度报告系统{% endblock %}</title>
  <link rel="icon" href="{% static_url 'img/favicon.svg' %}" type="image/svg+xml">
  <link rel="stylesheet" href="{% static_url 'bootstrap/css/bootstrap.min.css' %}">
  <link rel="stylesheet" href="{% static_url 'css/portal.css' %}">
</head>
<body hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}'{% if user.is_authenticated %} data-idle-seconds="{{ idle_seconds }}" data-keepalive="{% page_url 'keepalive' %}"{% endif %}>
<a class="skip-link" href="#main">跳到正文</a>
<nav class="navbar navbar-expand-lg navbar-dark bg-portal mb-4" aria-label="主菜单">
  <div class="container">
    <a class="navbar-brand fw-bold" href="{% page_url 'home' %}">法治政府建设年度报告系统</a>
    <button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#main-menu" aria-controls="main-menu" aria-expanded="false" aria-label="展开菜单">
      <span class="navbar-toggler-icon"></span>
    </button>
    <div class="collapse navbar-collapse" id="main-menu">
    {% if user.is_authenticated %}
    <ul class="navbar-nav me-auto">
      {# Which pages a role may open is org.access's to say (pages); the links: page_frame.menu. #}
      {% menu %}
    </ul>
    <ul class="navbar-nav align-items-lg-center">
      <li class="nav-item"><a class="nav-link" href="{% page_url 'notice_list' %}" id="notice-link">通知{% if unread_notices %} <span class="badge text-bg-light" aria-label="{{ unread_notices }} 条未读">{{ unread_notices }}</span>{% endif %}</a></li>
      <li class="nav-item"><span class="navbar-text text-white me-3">
        {% signed_in_as %}
      </span></li>
      <li class="nav-item"><form method="post" action="{% page_url 'logout' %}" class="d-inline">{% csrf_token %}
        <button class="btn btn-sm btn-outline-light" type="submit">退出登录</button>
      </form></li>
    </ul>
    {% else %}
    <ul class="navbar-nav me-auto"><li class="nav-item"><a class="nav-link" href="{% page_url 'public_index' %}">公开的报告</a></li></ul>
    <a class="btn btn-sm btn-outline-light" href="{% page_url 'login' %}">登录</a>
    {% endif %}
    </div>
  </div>
</nav>
<main class="container pb-5" id="main" tabindex="-1">
  {% if messages %}{% include "partials/messages.html" %}{% endif %}
  {% block content %}{% endblock %}
</main>
<script src="{% static_url 'bootstrap/js/bootstrap.bundle.min.js' %}"></script>
{% htmx_script_tag %}
<script src="{% static_url 'js/portal.js' %}"></script>
{% block scripts %}{% endblock %}
</body>
</html>
"""


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_frame_draws_what_the_template_drew_for_every_role(rf, personas, every_role, method):
    Notice.objects.create(
        user=personas.clerk_lianchi, kind=Notice.Kind.RETURNED, title="您的报告已退回"
    )
    users = [*every_role, AnonymousUser()]
    page = '{% extends "base.html" %}{% block content %}<p>正文</p>{% endblock %}'
    drawn = set()
    for user in users:
        request = getattr(rf, method)("/")
        request.user = user
        request._messages = []  # no messages framework needed: none to show
        # One token for both (the view's context is laid over the context processors'): each
        # context would mask the secret afresh.
        token = {"csrf_token": get_token(request)}
        new = engines["django"].from_string(page).render(token, request)
        old = engines["django"].from_string(
            BASE_BEFORE.replace("{% block content %}{% endblock %}", "<p>正文</p>")
        )
        assert parse_html(new) == parse_html(old.render(token, request)), user
        assert new.count('name="csrfmiddlewaretoken"') == (1 if user.is_authenticated else 0)
        drawn.add(new)
    assert len(drawn) == len(users)
    clerk_page = [html for html in drawn if "条未读" in html]
    assert len(clerk_page) == 1 and 'aria-label="1 条未读">1</span>' in clerk_page[0]
