from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oms.accounts import actions, selectors, totp
from oms.accounts.models import Department, User, UserSession
from oms.accounts.network import client_address
from oms.accounts.permissions import can_manage_users, can_use_two_factor, is_admin
from oms.core.errors import FieldErrors
from oms.web.listing import Column, ListSpec


def _client(request: HttpRequest) -> str:
    return client_address(request)


class LoginView(auth_views.LoginView):
    """S-3: refuses further attempts after repeated failures for an account (from one address or
    from all) or, past a high ceiling, from one address."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if actions.login_blocked(username=username, client=_client(request)):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("登录失败次数过多，请稍后再试。"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if user.totp_secret and not totp.verify(user.totp_secret, self.request.POST.get("code", "")):
            # S-3: the password alone does not open an account with two-factor login.
            form.add_error(None, _("此账号已启用两步验证，请填写验证器上的六位动态验证码。"))
            return self.form_invalid(form)
        response = super().form_valid(form)
        actions.record_login(
            user=form.get_user(),
            session_key=str(self.request.session.session_key),
            client=_client(self.request),
            user_agent=str(self.request.META.get("HTTP_USER_AGENT", "")),
        )
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        actions.record_login_failure(
            username=self.request.POST.get("username", ""), client=_client(self.request)
        )
        return super().form_invalid(form)


DEPARTMENT_SPEC = ListSpec(
    model=Department,
    prefix="accounts:department",
    title=gettext_lazy("部门"),
    columns=[
        Column("code"),
        Column("name"),
        Column("kind"),
        Column("parent__name", gettext_lazy("上级部门")),
        Column("active"),
    ],
    selector=lambda user: (
        Department.objects.select_related("parent") if can_manage_users(user) else Department.objects.none()
    ),
    search_fields=("code", "name"),
    filters=("kind", "active"),
    form_fields=("code", "name", "kind", "parent", "active"),
    create=actions.create_department,
    update=actions.update_department,
    can_edit=can_manage_users,
)

USER_SPEC = ListSpec(
    model=User,
    prefix="accounts:user",
    title=gettext_lazy("用户"),
    columns=[
        Column("username"),
        Column("last_name"),
        Column("first_name"),
        Column("department__name", gettext_lazy("部门")),
        Column("role"),
        Column("data_scope"),
        Column("is_active"),
        Column("last_login"),
    ],
    # Customers' portal logins are managed on their contact (B-8), not among the staff.
    selector=lambda user: (
        User.objects.select_related("department").filter(is_customer=False)
        if can_manage_users(user)
        else User.objects.none()
    ),
    search_fields=("username", "first_name", "last_name"),
    filters=("department", "role", "is_active"),
    form_fields=tuple(actions.USER_FIELDS),
    row_links=((gettext_lazy("设置密码"), "accounts:user_password"),),
    create=actions.create_user,
    update=actions.update_user,
    can_edit=can_manage_users,
)


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("新密码"), widget=forms.PasswordInput(render_value=False), strip=False
    )


@login_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_manage_users(request.user):
        raise Http404
    target = get_object_or_404(User, pk=pk)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_password(actor=request.user, user=target, password=form.cleaned_data["password"])
        except FieldErrors as exc:
            for m in exc.errors.get("password", []):
                form.add_error("password", m)
        else:
            messages.success(request, _("已为 %(u)s 设置新密码。") % {"u": target})
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/password.html",
        {"form": form, "target": target},
        status=400 if form.errors else 200,
    )


class LogoutView(auth_views.LogoutView):
    """Logging out ends the recorded login too (S-3)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.session.session_key:
            actions.record_logout(session_key=request.session.session_key)
        return super().post(request, *args, **kwargs)


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """S-3: the administrator's list of who is signed in, from where, since when."""
    if not is_admin(request.user):
        raise Http404
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": list(selectors.active_sessions(request.user)[:500])},
    )


@login_required
@require_POST
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_admin(request.user):
        raise Http404
    target = get_object_or_404(UserSession, pk=pk)
    actions.end_session(actor=request.user, target=target)
    messages.success(request, _("已结束 %(u)s 的登录。") % {"u": target.user})
    return redirect("accounts:sessions")


@login_required
def login_locks(request: HttpRequest) -> HttpResponse:
    """S-3: the administrator sees which accounts and addresses the login throttle holds and
    lifts a lock (POST `username` or `client`); the lifting is audited."""
    from oms.core.errors import ActionError

    if not is_admin(request.user):
        raise Http404
    if request.method == "POST":
        try:
            lifted = actions.lift_login_lock(
                actor=request.user,
                username=request.POST.get("username", ""),
                client=request.POST.get("client", ""),
            )
        except FieldErrors as exc:
            messages.error(request, "".join(m for ms in exc.errors.values() for m in ms))
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            target = request.POST.get("username", "").strip() or request.POST.get("client", "").strip()
            messages.success(
                request, _("已解除 %(t)s 的登录锁定（%(n)s 次失败不再计入）。") % {"t": target, "n": lifted}
            )
        return redirect("accounts:login_locks")
    return render(request, "accounts/login_locks.html", selectors.login_locks(request.user))


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """S-3: administrators and finance turn two-factor login on (scan, then confirm a code) or off."""
    import segno

    if not can_use_two_factor(request.user):
        raise Http404
    user = request.user
    assert isinstance(user, User)
    error = ""
    if request.method == "POST":
        try:
            if user.totp_secret:
                actions.disable_two_factor(actor=user, code=request.POST.get("code", ""))
                messages.success(request, _("已关闭两步验证。"))
            else:
                secret = str(request.session.get("totp_pending", ""))
                actions.enable_two_factor(actor=user, secret=secret, code=request.POST.get("code", ""))
                request.session.pop("totp_pending", None)
                messages.success(request, _("已启用两步验证，下次登录时请填写动态验证码。"))
            return redirect("accounts:two_factor")
        except FieldErrors as exc:
            error = "".join(exc.errors.get("code", []))
    context: dict[str, Any] = {"enabled": bool(user.totp_secret), "error": error}
    if not user.totp_secret:
        secret = str(request.session.get("totp_pending") or totp.new_secret())
        request.session["totp_pending"] = secret
        link = totp.uri(secret, account=user.username, issuer=str(_("订单管理系统")))
        context |= {"secret": secret, "qr": segno.make(link, error="m").svg_inline(scale=4)}
    return render(request, "accounts/two_factor.html", context, status=400 if error else 200)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Integrations: the administrator issues a token per integration with its scopes (the key
    is shown once), sees when each was last used, and revokes it."""
    from oms.accounts.models import API_SCOPES, ApiToken
    from oms.core.errors import ActionError

    if not is_admin(request.user):
        raise Http404
    key = ""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                token = ApiToken.objects.filter(pk=request.POST.get("revoke") or 0).first()
                if token is None:
                    raise Http404
                actions.revoke_api_token(actor=request.user, token=token)
                return redirect("accounts:api_tokens")
            owner = User.objects.filter(
                pk=request.POST.get("user") or 0, is_active=True, is_customer=False
            ).first()
            if owner is None:
                raise FieldErrors({"user": [_("请选择令牌代表的用户。")]})
            key = actions.issue_api_token(
                actor=request.user,
                user=owner,
                name=request.POST.get("name", ""),
                scopes=request.POST.getlist("scopes"),
            )
        except FieldErrors as exc:
            errors = exc.errors
        except ActionError as exc:
            errors = {"__all__": [exc.message]}
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": ApiToken.objects.select_related("user").order_by("revoked", "-created_at")[:500],
            "users": User.objects.filter(is_active=True, is_customer=False).order_by("username"),
            "scopes": list(API_SCOPES.items()),
            "key": key,
            "errors": errors,
            "data": request.POST,
        },
        status=400 if errors else 200,
    )
