"""The frame every page is drawn in (base.html): the navigation bar and the addresses it and the
page head link to, built in Python and remembered.

Every page paid for a dozen {% url %} and {% static %} tags and the navigation bar's conditions;
the addresses depend only on the URL configuration and the static files' manifest, and a role's
menu only on its pages and place, so each is worked out once per process (again whenever the
settings they come from change, as in tests).
"""

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_htmx.jinja import htmx_script

from org.access import Page

register = template.Library()


@lru_cache(maxsize=256)
def _static(path: str) -> str:
    return static(path)


@lru_cache(maxsize=4096)
def _reverse(prefix: str, urlconf: Any, name: str, args: tuple[Any, ...]) -> str:
    return reverse(name, urlconf=urlconf, args=args or None)


def page_url(name: str, *args: Any) -> str:
    """reverse(name, args), remembered per script prefix and URL configuration."""
    return _reverse(get_script_prefix(), get_urlconf(), name, args)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS", "DEBUG"):
        _static.cache_clear()
        _htmx_script.cache_clear()
        _head_links.cache_clear()
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reverse.cache_clear()
        _menu.cache_clear()


@register.simple_tag(name="static_url")
def static_url(path: str) -> str:
    """{% static path %}, remembered."""
    return _static(path)


@lru_cache(maxsize=4)
def _htmx_script(debug: bool) -> SafeString:
    return htmx_script()


@register.simple_tag(takes_context=True)
def htmx_script_tag(context: template.Context) -> SafeString:
    """django-htmx's {% htmx_script %} (htmx, and its debug helper when DEBUG is on), remembered
    unless the page carries a CSP nonce."""
    nonce = context.get("csp_nonce")
    if nonce is not None:
        return htmx_script(nonce=nonce)
    return _htmx_script(bool(settings.DEBUG))


@register.simple_tag(name="page_url")
def page_url_tag(name: str, *args: Any) -> str:
    """{% url name args %}, remembered."""
    return page_url(name, *args)


# The menu in its order: (page the role must be allowed, URL name, label).
MENU: tuple[tuple[Page, str, str], ...] = (
    (Page.OVERVIEW, "admin_home", "全部报送情况"),
    (Page.REVIEW_QUEUE, "review_queue", "待审核"),
    (Page.COUNTY, "county_home", "本县报送情况"),
    (Page.RANKING, "ranking", "得分排名"),
    (Page.PEOPLE, "people", "用户管理"),
    (Page.AUDIT, "audit_log", "安全审计日志"),
    (Page.ADMIN_SITE, "admin:index", "系统管理"),
)
ITEM = '<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>'


@lru_cache(maxsize=1024)
def _menu(
    prefix: str, urlconf: Any, pages: frozenset[str], township_id: int | None, of_city: bool
) -> SafeString:
    items = []
    if Page.TOWNSHIP in pages:
        items.append(
            format_html(ITEM, _reverse(prefix, urlconf, "township_home", ()), "本乡镇报告")
        )
        items.append(
            format_html(
                ITEM, _reverse(prefix, urlconf, "township_scores", (township_id,)), "历年得分"
            )
        )
    for page, name, label in MENU:
        if page in pages:
            if page == Page.COUNTY and of_city:
                label = "本市各县报送情况"
            items.append(format_html(ITEM, _reverse(prefix, urlconf, name, ()), label))
    return mark_safe("\n      ".join(items))


@register.simple_tag(takes_context=True)
def menu(context: template.Context) -> SafeString:
    """The links of the pages the user's role may open (org.access.pages), in the menu's order."""
    pages = context.get("pages") or frozenset()
    membership = context.get("membership")
    return _menu(
        get_script_prefix(),
        get_urlconf(),
        frozenset(pages),
        membership.township_id if membership is not None else None,
        bool(membership is not None and membership.city_id),
    )


@register.simple_tag(takes_context=True)
def signed_in_as(context: template.Context) -> SafeString:
    """「name · role · place」 of the navigation bar: the full name (else the user name), the
    role and its township, county or city (全部地区 for the administrators)."""
    user = context["user"]
    membership = context.get("membership")
    text = conditional_escape(user.get_full_name() or user.username)
    if membership:
        place = membership.township or membership.county or membership.city or "全部地区"
        text = format_html("{} · {} · {}", text, membership.get_role_display(), place)
    return mark_safe(text)


def _csrf_input(token: object) -> str:
    """What {% csrf_token %} prints for the context's token."""
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


@register.simple_tag(takes_context=True)
def frame_top(context: template.Context) -> SafeString:
    """The opening <body> tag, the skip link and the navigation bar, built in one call: as
    template nodes they were about a third of drawing a page's frame (base.html)."""
    token = context.get("csrf_token")
    hx_token = "" if token is None else escape(token)
    user = context.get("user")
    prefix, urlconf = get_script_prefix(), get_urlconf()
    home = _reverse(prefix, urlconf, "home", ())
    if user is not None and user.is_authenticated:
        body = (
            f'<body hx-headers=\'{{"X-CSRFToken": "{hx_token}"}}\''
            f' data-idle-seconds="{escape(context.get("idle_seconds", ""))}"'
            f' data-keepalive="{_reverse(prefix, urlconf, "keepalive", ())}">'
        )
        unread = context.get("unread_notices")
        badge = (
            f' <span class="badge text-bg-light" aria-label="{escape(unread)} 条未读">'
            f"{escape(unread)}</span>"
            if unread
            else ""
        )
        links = (
            '<ul class="navbar-nav me-auto">\n      '
            f"{menu(context)}\n    </ul>\n"
            '    <ul class="navbar-nav align-items-lg-center">\n'
            '      <li class="nav-item"><a class="nav-link"'
            f' href="{_reverse(prefix, urlconf, "notice_list", ())}" id="notice-link">通知'
            f"{badge}</a></li>\n"
            '      <li class="nav-item"><span class="navbar-text text-white me-3">\n'
            f"        {signed_in_as(context)}\n      </span></li>\n"
            '      <li class="nav-item"><form method="post"'
            f' action="{_reverse(prefix, urlconf, "logout", ())}" class="d-inline">'
            f"{_csrf_input(token)}\n"
            '        <button class="btn btn-sm btn-outline-light" type="submit">退出登录</button>\n'
            "      </form></li>\n    </ul>"
        )
    else:
        body = f'<body hx-headers=\'{{"X-CSRFToken": "{hx_token}"}}\'>'
        links = (
            '<ul class="navbar-nav me-auto"><li class="nav-item"><a class="nav-link"'
            f' href="{_reverse(prefix, urlconf, "public_index", ())}">公开的报告</a></li></ul>\n'
            '    <a class="btn btn-sm btn-outline-light"'
            f' href="{_reverse(prefix, urlconf, "login", ())}">登录</a>'
        )
    return mark_safe(  # noqa: S308 - every value above is escaped or built from escaped parts
        f"{body}\n"
        '<a class="skip-link" href="#main">跳到正文</a>\n'
        '<nav class="navbar navbar-expand-lg navbar-dark bg-portal mb-4" aria-label="主菜单">\n'
        '  <div class="container">\n'
        f'    <a class="navbar-brand fw-bold" href="{home}">法治政府建设年度报告系统</a>\n'
        '    <button class="navbar-toggler" type="button" data-bs-toggle="collapse"'
        ' data-bs-target="#main-menu" aria-controls="main-menu" aria-expanded="false"'
        ' aria-label="展开菜单">\n'
        '      <span class="navbar-toggler-icon"></span>\n'
        "    </button>\n"
        '    <div class="collapse navbar-collapse" id="main-menu">\n'
        f"    {links}\n"
        "    </div>\n"
        "  </div>\n"
        "</nav>"
    )


@lru_cache(maxsize=4)
def _head_links(debug: bool) -> SafeString:
    return format_html(
        '<link rel="icon" href="{}" type="image/svg+xml">\n'
        '  <link rel="stylesheet" href="{}">\n'
        '  <link rel="stylesheet" href="{}">',
        _static("img/favicon.svg"),
        _static("bootstrap/css/bootstrap.min.css"),
        _static("css/portal.css"),
    )


@register.simple_tag(name="frame_links")
def frame_links() -> SafeString:
    """The icon and style sheets of every page's head."""
    return _head_links(bool(settings.DEBUG))


@register.simple_tag(takes_context=True)
def frame_scripts(context: template.Context) -> SafeString:
    """Bootstrap's, htmx's (htmx_script_tag) and the portal's scripts at the end of every page."""
    return format_html(
        '<script src="{}"></script>\n{}\n<script src="{}"></script>',
        _static("bootstrap/js/bootstrap.bundle.min.js"),
        htmx_script_tag(context),
        _static("js/portal.js"),
    )
