"""Every write to departments and users (A-4), and the login throttle (S-3)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts import totp
from oms.accounts.models import Department, LoginFailure, User, UserSession
from oms.accounts.permissions import can_manage_users, can_use_two_factor, is_admin
from oms.accounts.selectors import recent_login_failures
from oms.audit import recorder
from oms.core.errors import FieldErrors
from oms.engine import records

USER_FIELDS = [
    "username",
    "last_name",
    "first_name",
    "email",
    "phone",
    "department",
    "role",
    "data_scope",
    "is_active",
]


def create_department(*, actor: Any, data: Mapping[str, Any]) -> Department:
    records.require(can_manage_users(actor))
    return records.create(
        actor=actor,
        obj=Department(**data),
        fields=["code", "name", "kind", "parent", "active"],
        action="department.create",
    )


def update_department(*, actor: Any, obj: Department, data: Mapping[str, Any], version: int) -> Department:
    records.require(can_manage_users(actor))
    parent = data.get("parent")
    if parent is not None and parent.pk == obj.pk:
        raise FieldErrors({"parent": "上级部门不能是自己。"})
    return records.update(actor=actor, obj=obj, data=data, version=version, action="department.update")


def create_user(*, actor: Any, data: Mapping[str, Any]) -> User:
    """A-4: a new person; they get no usable password until an administrator sets one."""
    records.require(can_manage_users(actor))
    user = User(**data)
    user.set_unusable_password()
    return records.create(actor=actor, obj=user, fields=USER_FIELDS, action="user.create")


def update_user(*, actor: Any, obj: User, data: Mapping[str, Any], version: int) -> User:
    """Role, department and scope changes are audited; users are deactivated, never deleted."""
    records.require(can_manage_users(actor))
    return records.update(actor=actor, obj=obj, data=data, version=version, action="user.update")


@transaction.atomic
def set_password(*, actor: Any, user: User, password: str) -> User:
    """S-3: an administrator sets a password that passes the password validators."""
    records.require(can_manage_users(actor))
    return _store_password(
        actor=actor, user=user, password=password, field="password", action="user.set_password"
    )


def _store_password(*, actor: Any, user: User, password: str, field: str, action: str) -> User:
    """S-3: a password that passes the validators (else the error names `field`), stored as a
    new version of the user, audited without its value."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise FieldErrors({field: list(exc.messages)}) from exc
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.version += 1
    locked.save(update_fields=["password", "version"])
    recorder.record(actor=actor, obj=locked, action=action, after={"password": "***"})
    return locked


@transaction.atomic
def change_own_password(*, actor: User, old_password: str, new_password: str) -> User:
    """S-3: a person replaces their own password, proving the current one; the new one passes
    the password validators."""
    if not actor.check_password(old_password):
        raise FieldErrors({"old_password": [_("原密码不正确。")]})
    return _store_password(
        actor=actor, user=actor, password=new_password, field="new_password", action="user.change_password"
    )


def normalise_username(raw: str) -> str:
    """S-3: the account a login attempt is counted against: the name as Django's login form reads
    it (NFKC, stripped) and case-folded, so that " Alice " and "ALICE" count against "alice".
    Only the count uses it: the password is still checked for the name as stored."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()[:150]


def login_blocked(*, username: str, client: str) -> bool:
    """S-3: too many recent failures for this account from this address, for this account from
    all addresses, or from this address over all accounts (the high ceiling against spraying).
    Failures for other accounts from the same address do not lock this one below the ceiling."""
    name = normalise_username(username)
    counts = (
        recent_login_failures()
        .filter(Q(username=name) | Q(client=client))
        .aggregate(
            pair=Count("pk", filter=Q(username=name, client=client)),
            account=Count("pk", filter=Q(username=name)),
            address=Count("pk", filter=Q(client=client)),
        )
    )
    return bool(
        counts["pair"] >= settings.LOGIN_THROTTLE_ATTEMPTS
        or counts["account"] >= settings.LOGIN_THROTTLE_ACCOUNT_ATTEMPTS
        or counts["address"] >= settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS
    )


def record_login_failure(*, username: str, client: str) -> None:
    LoginFailure.objects.create(username=normalise_username(username), client=client[:64], at=timezone.now())


@transaction.atomic
def lift_login_lock(*, actor: Any, username: str = "", client: str = "") -> int:
    """S-3: an administrator lifts a login lock: the recent failures of an account (from every
    address) or of an address stop counting. They stay as the security record, marked with who
    lifted them and when; the lifting is audited. Returns how many failures were lifted."""
    records.require(is_admin(actor))
    name = normalise_username(username)
    client = client.strip()[:64]
    if not name and not client:
        raise FieldErrors({"username": [_("请指定要解除锁定的账号或地址。")]})
    rows = (
        recent_login_failures().filter(username=name)
        if name
        else recent_login_failures().filter(client=client)
    )
    lifted = rows.update(lifted_at=timezone.now(), lifted_by=actor)
    recorder.record(
        actor=actor,
        obj=None,
        action="login.unlock",
        object_type="accounts.loginfailure",
        object_id=name or client,
        object_repr=name or client,
        after={"username": name, "client": "" if name else client, "lifted": lifted},
    )
    return lifted


def issue_api_token(*, actor: Any, user: User, name: str, scopes: Iterable[str] = ("read", "write")) -> str:
    """Create a token for an integration and return its key; only the hash is kept."""
    import hashlib
    import secrets

    from oms.accounts.models import API_SCOPES, ApiToken

    wanted = sorted(set(scopes))
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写令牌名称（用于哪个系统）。")]
    if not wanted or any(s not in API_SCOPES for s in wanted):
        errors["scopes"] = [_("请选择权限范围：读取和/或写入。")]
    if not user.is_active:
        errors["user"] = [_("该用户已停用。")]
    if errors:
        raise FieldErrors(errors)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), scopes=wanted, key_hash=hashlib.sha256(key.encode()).hexdigest()
    )
    recorder.record(
        actor=actor,
        obj=token,
        action="api_token.issue",
        after={"user": user.pk, "name": token.name, "scopes": wanted},
    )
    return key


def revoke_api_token(*, actor: Any, token: Any) -> None:
    """The key stops working at once; the token stays listed as revoked."""
    from oms.core.errors import NotAllowed

    if not (is_admin(actor) or (getattr(actor, "is_customer", False) and token.user_id == actor.pk)):
        raise NotAllowed(_("您没有权限执行此操作。"))
    type(token).objects.filter(pk=token.pk).update(revoked=True)
    recorder.record(
        actor=actor, obj=token, action="api_token.revoke", before={"revoked": False}, after={"revoked": True}
    )


def record_login(*, user: User, session_key: str, client: str, user_agent: str) -> UserSession:
    """S-3: every login is kept, so an administrator sees who is signed in from where."""
    return UserSession.objects.create(
        user=user,
        session_key=session_key,
        client=client[:64],
        user_agent=user_agent[:255],
        started_at=timezone.now(),
    )


def record_logout(*, session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(ended_at=timezone.now())


def _evict_cached_session(session_key: str) -> None:
    from django.core.cache import caches

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    cache_key = getattr(store, "cache_key", None)  # only the cache-backed engines have one
    if cache_key:
        caches[settings.SESSION_CACHE_ALIAS].delete(cache_key)


def end_session(*, actor: Any, target: UserSession) -> UserSession:
    """S-3: an administrator ends someone's login at once; the user must sign in again."""
    from django.contrib.sessions.models import Session

    records.require(is_admin(actor))
    with transaction.atomic():
        locked = UserSession.objects.select_for_update().get(pk=target.pk)
        if locked.ended_at is not None:
            return locked
        now = timezone.now()
        # An expired session is refused by Django at once; Django's own clearsessions tidies it.
        Session.objects.filter(session_key=locked.session_key).update(expire_date=now)
        # With a shared cache in front of the sessions (cached_db, issue 24.4) the cached copy
        # must go too, after the commit so that no request caches the row again before it.
        transaction.on_commit(partial(_evict_cached_session, locked.session_key))
        locked.ended_at = now
        locked.ended_by = actor
        locked.save(update_fields=["ended_at", "ended_by"])
        recorder.record(
            actor=actor,
            obj=locked,
            action="session.end",
            before={"user": locked.user_id, "client": locked.client},
            after={"ended_at": locked.ended_at.isoformat()},
        )
    return locked


def enable_two_factor(*, actor: User, secret: str, code: str) -> User:
    """S-3: two-factor login turns on only once the user proves the authenticator shows the code."""
    records.require(can_use_two_factor(actor))
    if not totp.verify(secret, code):
        raise FieldErrors({"code": [_("验证码不正确，请查看验证器上当前的六位数字。")]})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        locked.totp_secret = secret
        locked.save(update_fields=["totp_secret"])
        recorder.record(actor=actor, obj=locked, action="user.two_factor_on", after={"two_factor": True})
    return locked


def disable_two_factor(*, actor: User, code: str) -> User:
    """Turning it off needs a current code too, so a session left open cannot remove it."""
    if not totp.verify(actor.totp_secret, code):
        raise FieldErrors({"code": [_("验证码不正确，请查看验证器上当前的六位数字。")]})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        locked.totp_secret = ""
        locked.save(update_fields=["totp_secret"])
        recorder.record(
            actor=actor,
            obj=locked,
            action="user.two_factor_off",
            before={"two_factor": True},
            after={"two_factor": False},
        )
    return locked
