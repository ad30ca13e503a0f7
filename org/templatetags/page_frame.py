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
from django.utils.html import conditional_escape, format_html
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
