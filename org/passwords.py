"""Password rules 等保 2.0 asks for, as Django password validators (AUTH_PASSWORD_VALIDATORS):
at least three kinds of characters, not the user name, not one of the last five passwords. The
length (8) and the common-password list are Django's own validators."""

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from .models import PasswordHistory


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
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
                f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class NotUsernameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = user.get_username() if user is not None else ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_has_username")

    def get_help_text(self) -> str:
        return "不能包含用户名。"


class HistoryValidator:
    """Not one of the last `count` passwords (the current one included)."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        # The history holds each password as it is set, so its newest row is usually the current
        # one; the current hash is checked as well for passwords set before the history existed.
        hashes = [user.password] + list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
                : self.count
            ]
        )
        if any(check_password(password, hashed) for hashed in hashes if hashed):
            raise ValidationError(
                f"不能与最近 {self.count} 次使用过的密码相同，请换一个新密码。",
                code="password_reused",
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        old = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count :]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        return f"不能与最近 {self.count} 次使用过的密码相同。"
