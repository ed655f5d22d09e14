"""S-3: password strength beyond Django's length, similarity and common-password checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """A password mixes at least `min_classes` of: lower-case letters, upper-case letters, digits
    and other characters, so that a long run of one kind ("aaaaaaaaaa") is refused."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字和符号中的至少 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字和符号中的至少 %(n)d 类。") % {"n": self.min_classes}
