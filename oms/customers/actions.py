"""Every write to customers and their contacts (A-1)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.permissions import can_manage_master_data
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, StaleVersion
from oms.customers.models import Contact, Customer, PortalAccount
from oms.engine import records


def create_customer(*, actor: Any, data: Mapping[str, Any]) -> Customer:
    """A-1: a new customer; the customer code must be unique."""
    records.require(can_manage_master_data(actor))
    return records.create_named(actor=actor, model=Customer, data=data, action="customer.create")


def update_customer(
    *, actor: Any, obj: Customer, data: Mapping[str, Any], version: int, reason: str = ""
) -> Customer:
    """A-1: customers are kept current; every change is audited with before/after values."""
    records.require(can_manage_master_data(actor))
    return records.update_named(
        actor=actor, obj=obj, data=data, version=version, action="customer.update", reason=reason
    )


def create_contact(*, actor: Any, data: Mapping[str, Any]) -> Contact:
    records.require(can_manage_master_data(actor))
    return records.create(
        actor=actor, obj=Contact(**data), fields=records.editable_fields(Contact), action="contact.create"
    )


def update_contact(*, actor: Any, obj: Contact, data: Mapping[str, Any], version: int) -> Contact:
    records.require(can_manage_master_data(actor))
    return records.update(actor=actor, obj=obj, data=data, version=version, action="contact.update")


def _initial_password() -> str:
    """A password the validators accept (S-3), shown once to whoever opens the account."""
    rng = secrets.SystemRandom()
    chars = [
        *(rng.choice(string.ascii_uppercase) for _ in range(4)),
        *(rng.choice(string.ascii_lowercase) for _ in range(4)),
        *(rng.choice("23456789") for _ in range(3)),
        rng.choice("@#%+"),
    ]
    rng.shuffle(chars)
    return "".join(chars)


@transaction.atomic
def grant_portal_access(*, actor: Any, contact: Contact, username: str) -> tuple[PortalAccount, str]:
    """B-8, H-1, N-3: a customer contact gets their own portal login, seeing only their
    company's orders. Returns the account and its initial password, shown once; only its hash
    is kept. A revoked account is opened again with a new password."""
    from django.contrib.auth import get_user_model

    records.require(can_manage_master_data(actor))
    user_model = get_user_model()
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    account = PortalAccount.objects.select_related("user").filter(contact=contact).first()
    name = username.strip()
    errors: dict[str, list[str]] = {}
    if account is not None and account.active:
        errors["username"] = [_("该联系人已开通客户门户账号。")]
    elif not name:
        errors["username"] = [_("请填写登录名。")]
    elif len(name) > 150 or not all(c.isalnum() or c in "@.+-_" for c in name):
        errors["username"] = [_("登录名只能包含字母、数字和 @ . + - _。")]
    elif (
        user_model.objects.filter(username__iexact=name)
        .exclude(pk=account.user_id if account else 0)
        .exists()
    ):
        errors["username"] = [_("登录名已被使用。")]
    if not contact.active or not contact.customer.active:
        errors["contact"] = [_("联系人或客户已停用。")]
    if errors:
        raise FieldErrors(errors)
    password = _initial_password()
    if account is None:
        user = user_model(username=name, last_name=contact.name, email=contact.email, is_customer=True)
        user.set_password(password)
        user.save()
        account = PortalAccount.objects.create(
            user=user, customer=contact.customer, contact=contact, created_by=actor
        )
    else:
        user = account.user
        user.username = name
        user.is_active = True
        user.set_password(password)
        user.save(update_fields=["username", "is_active", "password"])
        account.active = True
        account.version += 1
        account.save(update_fields=["active", "version", "updated_at"])
    recorder.record(
        actor=actor,
        obj=contact.customer,
        action="portal.grant",
        after={"contact": contact.pk, "username": name, "password": "***"},
    )
    return account, password


@transaction.atomic
def revoke_portal_access(*, actor: Any, account: PortalAccount, version: int) -> PortalAccount:
    """B-8: the login stops working at once (its sessions too); the account stays on record."""
    records.require(can_manage_master_data(actor))
    locked = PortalAccount.objects.select_for_update().select_related("user", "customer").get(pk=account.pk)
    if locked.version != version:
        raise StaleVersion(_("该记录已被他人更新，请刷新后再试。"))
    if not locked.active:
        raise ActionError(_("该账号已停用。"))
    locked.active = False
    locked.version += 1
    locked.save(update_fields=["active", "version", "updated_at"])
    locked.user.is_active = False
    locked.user.save(update_fields=["is_active"])
    recorder.record(
        actor=actor,
        obj=locked.customer,
        action="portal.revoke",
        before={"contact": locked.contact_id, "active": True},
        after={"contact": locked.contact_id, "active": False},
    )
    return locked
