"""Typed input of the tracking panel (H-2, H-4), one form per action: a form parses what was
typed (the responsible person, the exception resolved, a tick box); the action keeps the rules
(which kinds, who may write which entry, a responsible person in a department)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.accounts.models import User


class EntryForm(forms.Form):
    """H-2: one line of the tracking ledger."""

    kind = forms.CharField(required=False, max_length=20)
    text = forms.CharField(required=False)


class ExceptionForm(forms.Form):
    """H-4: an exception, its one responsible person, and whether the customer was told."""

    kind = forms.CharField(required=False, max_length=20)
    description = forms.CharField(required=False)
    responsible = forms.ModelChoiceField(
        queryset=User.objects.all(),
        error_messages={
            "required": _("请选择在职且有部门的负责人。"),
            "invalid_choice": _("请选择在职且有部门的负责人。"),
        },
    )
    customer_informed = forms.BooleanField(required=False)


class ExceptionChoiceForm(forms.Form):
    """H-4: which of the order's exceptions is resolved (by its number in the database)."""

    exception = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1)


class ResolutionForm(forms.Form):
    """H-4: how an exception was resolved, its cause and any contractual liability."""

    resolution = forms.CharField(required=False)
    cause = forms.CharField(required=False)
    liability = forms.CharField(required=False)
    customer_informed = forms.BooleanField(required=False)
