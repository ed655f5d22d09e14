"""Departments, people and roles (A-4)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oms.core.crypto import EncryptedTextField


class DepartmentKind(models.TextChoices):
    """The departments the policies name (A-4); a company may have several of one kind."""

    SALES = "sales", _("销售部")
    CUSTOMER_SERVICE = "customer_service", _("客服部")
    MARKETING = "marketing", _("市场部")
    ORDER_CONFIRMATION = "order_confirmation", _("订单确认部")
    PRODUCTION = "production", _("生产部")
    TECHNICAL = "technical", _("技术部")
    QUALITY = "quality", _("质量部")
    PROCUREMENT = "procurement", _("采购部")
    WAREHOUSE = "warehouse", _("仓储部")
    LOGISTICS = "logistics", _("物流部")
    FINANCE = "finance", _("财务部")
    SUPERVISION = "supervision", _("审计监督部")
    ADMINISTRATION = "administration", _("行政部")
    MANAGEMENT = "management", _("总经理办公室")


class Role(models.TextChoices):
    STAFF = "staff", _("员工")
    HEAD = "head", _("部门负责人")
    EXECUTIVE = "executive", _("分管领导")
    ADMIN = "admin", _("系统管理员")
    AUDITOR = "auditor", _("审计员")


class DataScope(models.TextChoices):
    """Which records of a list a user sees (S-1)."""

    ALL = "all", _("全部")
    DEPARTMENT_TREE = "department_tree", _("本部门及下级")
    DEPARTMENT = "department", _("本部门")
    OWN = "own", _("本人")


DEFAULT_SCOPE = {
    Role.STAFF: DataScope.OWN,
    Role.HEAD: DataScope.DEPARTMENT_TREE,
    Role.EXECUTIVE: DataScope.ALL,
    Role.ADMIN: DataScope.ALL,
    Role.AUDITOR: DataScope.ALL,
}


class Department(models.Model):
    code = models.SlugField(_("部门代码"), max_length=40, unique=True)
    name = models.CharField(_("部门名称"), max_length=100)
    kind = models.CharField(_("部门类型"), max_length=40, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("启用"), default=True)
    reviewer = models.ForeignKey(
        "accounts.User",
        verbose_name=_("指定评审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("订单评审任务的默认负责人；留空则由部门负责人评审"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        # The seeded departments' names are catalogue entries and read in the reader's language
        # (issue 23.12); a name the company typed itself stays as typed.
        return gettext(self.name)


class User(AbstractUser):
    """A person of the company; `role` and `department` decide what they see and do (A-4, S-1)."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    data_scope = models.CharField(
        _("数据范围"), max_length=20, choices=DataScope.choices, blank=True, help_text=_("留空则按角色默认")
    )
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    # S-3: set when the user turned on two-factor login; the login then asks for the code.
    # Encrypted at rest with the key outside the database (issue 20.11, ADR 0014).
    totp_secret = EncryptedTextField(_("两步验证密钥"), max_length=64, blank=True, editable=False)
    # B-8, H-1: a customer's contact with a portal login (customers.PortalAccount says whose).
    # A flag on the user so that confining them to the portal costs no query per request.
    is_customer = models.BooleanField(_("客户门户账号"), default=False, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names are written family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def effective_scope(self) -> str:
        return self.data_scope or DEFAULT_SCOPE[Role(self.role)]

    @property
    def department_kind(self) -> str:
        return self.department.kind if self.department_id and self.department else ""


class LoginFailure(models.Model):
    """A failed login, for throttling (S-3); kept, never deleted, as a security record."""

    # The name as typed, normalised (stripped, case-folded) so that variants count together.
    username = models.CharField(max_length=150, db_index=True)
    client = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)
    # S-3: an administrator lifted the lock this failure was part of; it no longer counts.
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


API_SCOPES = {"read": _("读取"), "write": _("写入")}


class ApiToken(models.Model):
    """A bearer token for an integration, limited to its scopes and acting as its user (whose
    data scope and field policy apply); only its hash is stored, the key is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    # What the integration may do: "read" (GET) and/or "write" (POST, PUT, PATCH, DELETE).
    scopes = models.JSONField(_("权限范围"), default=list)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return self.name


class UserSession(models.Model):
    """A login (S-3): where and when it began and, once over, how it ended. Kept as a security
    record; an administrator ends a live one from the active sessions page."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    client = models.CharField(_("客户端地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("登录时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("结束人")
    )

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        indexes = [models.Index(fields=["ended_at", "started_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"
