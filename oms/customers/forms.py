"""Typed input of customer master data where a page parses it itself (B-8: portal logins); the
master-data lists edit through their ListSpec forms. The actions keep the rules (one login per
contact, which names are allowed)."""

from __future__ import annotations

from django import forms


class PortalAccessForm(forms.Form):
    """B-8: the login name a contact's portal account opens with."""

    username = forms.CharField(required=False, max_length=150)


class RevokeForm(forms.Form):
    """B-8: stopping a portal login, on the version the administrator saw."""

    version = forms.IntegerField(required=False, min_value=0)

    def version_seen(self) -> int:
        """The posted version; anything else is no version, refused as stale rather than a crash."""
        return int(self.cleaned_data.get("version") or 0) if self.is_valid() else 0
