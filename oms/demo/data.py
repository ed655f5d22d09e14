"""Demo data for the embedded default: a demo company, one user per department and role,
customers, products, suppliers, carriers, warehouses and stock. Written through the actions,
so the demo's audit log is a real, verifiable chain.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from oms.accounts import actions as accounts
from oms.accounts.models import Department, DepartmentKind, Role, User
from oms.catalog import actions as catalog
from oms.customers import actions as customers
from oms.customers.models import Contact, Customer, Region
from oms.demo.orders import demo_orders
from oms.orders.models import SalesOrder
from oms.partners import actions as partners

DEMO_PASSWORD = "Demo@2026oms"

REGIONS = [
    ("east", "华东", "中国"),
    ("south", "华南", "中国"),
    ("north", "华北", "中国"),
    ("southwest", "西南", "中国"),
    ("overseas", "海外", "其他"),
]

CUSTOMERS = [
    ("C0001", "上海恒信机械有限公司", "east", "A", True, "500000", "AAA", "monthly", "021-58001234"),
    ("C0002", "杭州明达电子科技有限公司", "east", "B", False, "200000", "AA", "prepayment", "0571-86012345"),
    ("C0003", "深圳华通精密制造有限公司", "south", "A", True, "800000", "AA", "monthly", "0755-26012345"),
    ("C0004", "广州宏远贸易有限公司", "south", "C", False, "50000", "B", "prepayment", "13800138000"),
    ("C0005", "北京中科仪器有限公司", "north", "B", False, "300000", "A", "instalments", "010-62012345"),
    (
        "C0006",
        "成都天府智能装备有限公司",
        "southwest",
        "B",
        False,
        "150000",
        "A",
        "on_delivery",
        "028-85012345",
    ),
    (
        "C0007",
        "苏州工业园区捷成自动化有限公司",
        "east",
        "A",
        True,
        "600000",
        "AAA",
        "monthly",
        "0512-62512345",
    ),
    ("C0008", "Hanoi Precision Parts JSC", "overseas", "C", False, "100000", "B", "prepayment", ""),
]

PRODUCTS = [
    ("P1001", "精密齿轮箱", "GB-200 / 速比 1:20", "台", "12800", "8600", 20, True),
    ("P1002", "伺服电机", "SM-750W", "台", "2350", "1580", 10, True),
    ("P1003", "不锈钢法兰", "DN100 PN16 304", "件", "186", "112", 7, True),
    ("P1004", "数控夹具（定制）", "按图纸", "套", "9800", "6200", 30, False),
    ("P1005", "直线导轨", "HGR25-1000mm", "根", "620", "410", 5, True),
    ("P1006", "减速机", "RV-40 / 速比 1:50", "台", "1650", "1050", 15, True),
    ("P1007", "铝合金外壳", "AL6061 阳极氧化", "件", "88", "46", 12, True),
    ("P1008", "安装调试服务", "现场服务", "人天", "1500", "900", 3, False),
]


def _users(admin: User, departments: dict[str, Department], password_hash: str) -> list[tuple[str, str]]:
    logins = []
    for kind, dept in departments.items():
        for role, suffix, given in ((Role.STAFF, "staff", "专员"), (Role.HEAD, "head", "经理")):
            username = f"{kind}_{suffix}"
            user = accounts.create_user(
                actor=admin,
                data={
                    "username": username,
                    "last_name": dept.name.rstrip("部"),
                    "first_name": given,
                    "department": dept,
                    "role": role,
                },
            )
            User.objects.filter(pk=user.pk).update(password=password_hash)
            logins.append((username, f"{dept.name} {Role(role).label}"))
    for username, role, dept_kind, last, first in (
        ("executive", Role.EXECUTIVE, DepartmentKind.MANAGEMENT, "王", "副总"),
        ("auditor", Role.AUDITOR, DepartmentKind.SUPERVISION, "赵", "审计"),
    ):
        user = accounts.create_user(
            actor=admin,
            data={
                "username": username,
                "last_name": last,
                "first_name": first,
                "department": departments[dept_kind],
                "role": role,
            },
        )
        User.objects.filter(pk=user.pk).update(password=password_hash)
        logins.append((username, str(Role(role).label)))
    return logins


@transaction.atomic
def load_demo() -> list[tuple[str, str]] | None:
    """Create the demo company once; returns the demo logins, or None when it already exists."""
    if User.objects.filter(username="admin").exists():
        return None
    password_hash = make_password(DEMO_PASSWORD)
    admin = User.objects.create(
        username="admin",
        last_name="系统",
        first_name="管理员",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
        password=password_hash,
    )
    departments = _departments(admin)
    logins = [("admin", "系统管理员"), *_users(admin, departments, password_hash)]
    _customers(admin, departments)
    _catalog(admin)
    _partners(admin)
    _demo_calendar(admin)
    demo_orders()
    _survey_questions(admin)
    _voice()
    logins.append(_portal_login(admin, password_hash))
    return logins


def _departments(admin: User) -> dict[str, Department]:
    """The management office on top, one department of every other kind under it; the
    administrator belongs to administration."""
    top = accounts.create_department(
        actor=admin, data={"code": "management", "name": "总经理办公室", "kind": DepartmentKind.MANAGEMENT}
    )
    departments = {DepartmentKind.MANAGEMENT.value: top}
    for kind in DepartmentKind:
        if kind != DepartmentKind.MANAGEMENT:
            departments[kind.value] = accounts.create_department(
                actor=admin, data={"code": kind.value, "name": str(kind.label), "kind": kind, "parent": top}
            )
    admin_dept = departments[DepartmentKind.ADMINISTRATION]
    User.objects.filter(pk=admin.pk).update(department=admin_dept)
    return departments


def _customers(admin: User, departments: dict[str, Department]) -> None:
    """The demo regions and customers, each with a primary contact and owned by the demo salesperson."""
    regions = {
        code: Region.objects.create(code=code, name=name, country=country) for code, name, country in REGIONS
    }
    sales_staff = User.objects.get(username="sales_staff")
    for i, (code, name, region, grade, key, limit, rating, terms, phone) in enumerate(CUSTOMERS):
        customer = customers.create_customer(
            actor=admin,
            data={
                "code": code,
                "name": name,
                "region": regions[region],
                "grade": grade,
                "is_key": key,
                "credit_limit": Decimal(limit),
                "credit_rating": rating,
                "payment_terms": terms,
                "phone": phone,
                "address": f"{regions[region].name}示例地址 {i + 1} 号",
                "invoice_title": name,
                # S-1: the demo's salesperson enters every demo order, so every customer is in
                # their own scope; the head sees them all through the department.
                "owner": sales_staff,
                "department": departments["sales"],
            },
        )
        customers.create_contact(
            actor=admin,
            data={
                "customer": customer,
                "name": ["张伟", "李娜", "王强", "刘洋"][i % 4],
                "title": "采购经理",
                "phone": f"1391234{5670 + i}",
                "is_primary": True,
            },
        )


def _catalog(admin: User) -> None:
    """Two warehouses and the demo products, stock items with a stock level in the first."""
    warehouses = [
        catalog.create_warehouse(
            actor=admin, data={"code": "WH01", "name": "成品仓", "address": "厂区一号库"}
        ),
        catalog.create_warehouse(
            actor=admin, data={"code": "WH02", "name": "原材料仓", "address": "厂区二号库"}
        ),
    ]
    for i, (code, name, spec, unit, price, cost, lead, stock_item) in enumerate(PRODUCTS):
        product = catalog.create_product(
            actor=admin,
            data={
                "code": code,
                "name": name,
                "spec": spec,
                "unit": unit,
                "list_price": Decimal(price),
                "standard_cost": Decimal(cost),
                "lead_time_days": lead,
                "is_stock_item": stock_item,
                "is_service": unit == "人天",
            },
        )
        if stock_item:
            catalog.create_stock_level(
                actor=admin,
                data={
                    "product": product,
                    "warehouse": warehouses[0],
                    "on_hand": Decimal(20 + i * 15),
                    "reserved": Decimal(i * 2),
                    "safety_stock": Decimal(10),
                },
            )


def _partners(admin: User) -> None:
    """Suppliers at each qualification, and carriers."""
    for code, name, supplies, qual in (
        ("S001", "宁波精工钢材有限公司", "钢材、不锈钢", "qualified"),
        ("S002", "无锡恒达电机有限公司", "电机", "qualified"),
        ("S003", "东莞新锐五金制品厂", "五金件", "probation"),
        ("S004", "天津北洋轴承有限公司", "轴承", "disqualified"),
    ):
        partners.create_supplier(
            actor=admin,
            data={
                "code": code,
                "name": name,
                "supplies": supplies,
                "qualification": qual,
                "contact_name": "联系人",
                "phone": "13700000000",
            },
        )
    for code, name, area in (
        ("L001", "顺丰速运", "全国"),
        ("L002", "德邦物流", "全国"),
        ("L003", "安能物流", "华东、华南"),
    ):
        partners.create_carrier(
            actor=admin, data={"code": code, "name": name, "service_area": area, "qualification": "qualified"}
        )


def _portal_login(admin: User, password_hash: str) -> tuple[str, str]:
    """B-8: the customer C0001's primary contact logs in to the customer portal as `customer`."""
    contact = Customer.objects.get(code="C0001").contacts.get(is_primary=True)
    Contact.objects.filter(pk=contact.pk).update(email="zhangwei@hengxin.example")
    account, _password = customers.grant_portal_access(actor=admin, contact=contact, username="customer")
    User.objects.filter(pk=account.user_id).update(password=password_hash)
    return ("customer", f"客户门户：{contact.customer.name} {contact.name}")


def _voice() -> None:
    """N-2: the shipped demo order has a complaint whose evidence is in, for customer service to
    walk on; O-4 and Q-2 start empty."""
    from oms.feedback import actions as feedback

    service = User.objects.get(username="customer_service_staff")
    shipped = SalesOrder.objects.filter(status="shipped").latest("pk")
    complaint = feedback.register_complaint(
        actor=service,
        order_number=shipped.number,
        category="late",
        description="客户反映到货比约定晚了一天，要求说明原因",
        complainant="张伟",
    )
    feedback.advance(
        actor=service,
        complaint=complaint,
        step="collect_evidence",
        data={"evidence_note": "客户来电记录；物流签收单显示晚到一天"},
        version=complaint.version,
    )


# N-1: the questions of the satisfaction questionnaire (004 客户满意度调查: delivery, product,
# service, handling of problems), for the administrator to edit.
SURVEY_QUESTIONS = [
    ("产品质量是否符合要求", "score"),
    ("交货是否及时", "score"),
    ("订单确认与沟通是否顺畅", "score"),
    ("问题与投诉是否得到及时解决", "score"),
    ("服务态度", "score"),
    ("您希望我们改进的地方", "text"),
]


def _survey_questions(admin: User) -> None:
    from oms.feedback.actions import save_question

    for position, (text, kind) in enumerate(SURVEY_QUESTIONS, start=1):
        save_question(actor=admin, data={"text": text, "kind": kind, "position": position, "active": True})


def _demo_calendar(admin: User) -> None:
    """Demo orders deliver next year; if the statutory data does not cover it yet, the demo adds it
    as Monday to Friday so that deadlines compute. A real company marks next year's holidays when
    they are announced (the calendar page warns until then)."""
    from oms.policy import actions as policy_actions
    from oms.policy.models import CalendarDay

    next_year = timezone.localdate().year + 1
    if not CalendarDay.objects.filter(date__year=next_year).exists():
        policy_actions.add_calendar_year(actor=admin, year=next_year)
