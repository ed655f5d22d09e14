"""A searchable picker for foreign keys: type a code, a name or pinyin initials, pick a row."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _


class PickerWidget(forms.Widget):
    template_name = "core/picker_widget.html"

    def __init__(self, *, url_name: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.choices: Any = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        queryset = getattr(self.choices, "queryset", None)
        if value not in (None, "") and queryset is not None:
            # One row by key, never the whole list: pickers serve tables of any size.
            label = str(queryset.filter(pk=value).first() or "")
        context["widget"].update(
            {
                "url": reverse(self.url_name),
                "label": label,
                "placeholder": _("输入编码、名称或拼音首字母搜索"),
            }
        )
        return context
