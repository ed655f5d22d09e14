"""Typed input of the archive (M-2, M-3), one form per action: a form parses what was posted
(the reason, the version the decider saw); the action keeps the rules (who may read, request,
approve or dispose of what, and when)."""

from __future__ import annotations

from django import forms


class ReasonForm(forms.Form):
    """M-3: why a record is to be read; M-2: why it is to be disposed of, or the decider's note."""

    reason = forms.CharField(required=False)


class AccessDecisionForm(ReasonForm):
    """M-3: the approver's note on a query request, and the version they decided on."""

    version = forms.IntegerField(required=False, min_value=0)
