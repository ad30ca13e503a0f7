"""Accounts: the administrator's user page (create, reset a password, deactivate) and every
user's own password change."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from reportportal.types import AuthedRequest

from .access import Page, require
from .forms import NewAccountForm
from .middleware import MUST_CHANGE
from .services import (
    AccountError,
    password_changed,
    user_create,
    user_password_reset,
    user_set_active,
)


@login_required
@require_http_methods(["GET", "POST"])
def people(request: AuthedRequest) -> HttpResponse:
    """Every account with its role and place; a new account in one step."""
    require(request.user, Page.PEOPLE)
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                township=data["township"],
                county=data["county"],
                email=data["email"],
            )
        except AccountError as exc:
            form.add_error("username", str(exc))
        else:
            return _show_password(request, user, password, created=True)
    search = request.GET.get("q", "").strip()[:50]
    users = User.objects.select_related(
        "membership__township__county", "membership__county"
    ).order_by("-is_active", "username")
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(membership__township__name__contains=search)
            | Q(membership__county__name__contains=search)
        )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "org/people.html", {"form": form, "page": page, "search": search})


def _show_password(
    request: AuthedRequest, user: User, password: str, *, created: bool
) -> HttpResponse:
    # Shown once, on this page only: the password is stored nowhere readable.
    response = render(
        request,
        "org/temporary_password.html",
        {"person": user, "password": password, "created": created},
    )
    return response


@login_required
@require_POST
def people_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Page.PEOPLE)
    user = get_object_or_404(User, pk=pk)
    password = user_password_reset(actor=request.user, user=user)
    return _show_password(request, user, password, created=False)


@login_required
@require_POST
def people_active(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Page.PEOPLE)
    user = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        user_set_active(actor=request.user, user=user, active=active)
    except AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{'启用' if active else '停用'}账号 {user.username}。")
    return redirect("people")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        password_changed(user=user)
        request.session.pop(MUST_CHANGE, None)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(
        request,
        "org/password_change.html",
        {"form": form, "forced": bool(request.session.get(MUST_CHANGE))},
    )
