"""Demo data for the embedded default: a demo company, one user per department and role,
customers, products, suppliers, carriers, warehouses and stock. Written through the actions,
so the demo's audit log is a real, verifiable chain.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from oms.accounts import actions as accounts
from oms.accounts.models import Department, DepartmentKind, Role, User
from oms.archive import actions as archive
from oms.archive.models import ArchiveRecord
from oms.catalog import actions as catalog
from oms.catalog.models import Product
from oms.changes import actions as changes
from oms.customers import actions as customers
from oms.customers.models import Contact, Customer, Region
from oms.intake import actions as intake
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
    logins = [("admin", "系统管理员"), *_users(admin, departments, password_hash)]

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
    _demo_calendar(admin)
    _orders()
    _survey_questions(admin)
    _voice()
    logins.append(_portal_login(admin, password_hash))
    return logins


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


def _orders() -> None:
    """A few orders at every intake stage, entered and worked through the real actions (B, P-2)."""
    sales = User.objects.get(username="sales_staff")
    head = User.objects.get(username="sales_head")
    executive = User.objects.get(username="executive")
    service = User.objects.get(username="customer_service_staff")
    customers_by_code = {c.code: c for c in Customer.objects.all()}
    products_by_code = {p.code: p for p in Product.objects.all()}
    today = timezone.localdate()

    def order(
        code: str, lines: list[tuple[str, str]], order_class: str = "normal", days: int = 45, **extra: object
    ) -> SalesOrder:
        customer = customers_by_code[code]
        data = {
            "customer": customer,
            "contact_name": "张伟",
            "contact_phone": "13912345670",
            "order_date": today,
            "channel": "phone",
            "order_class": order_class,
            "delivery_date": today + timedelta(days=days),
            "delivery_place": customer.address,
            "payment_terms": customer.payment_terms,
            **extra,
        }
        return intake.create_order(
            actor=sales,
            data=data,
            lines=[{"product": products_by_code[p].pk, "quantity": q} for p, q in lines],
        )

    order("C0002", [("P1002", "10"), ("P1005", "20")])
    intake.submit_order(
        actor=sales,
        order=order(
            "C0001",
            [("P1001", "2"), ("P1006", "5")],
            "urgent",
            needs_special_packaging=True,
            special_requirements="出口木箱包装",
        ),
    )
    checked = intake.submit_order(
        actor=sales, order=order("C0003", [("P1004", "3")], "special", needs_customisation=True)
    )
    intake.request_info(actor=head, order=checked, reason="缺少夹具图纸编号")
    escalated = intake.submit_order(actor=sales, order=order("C0004", [("P1003", "200")], days=7))
    intake.escalate(actor=head, order=escalated, reason="交期偏紧且客户信用等级 B")
    accepted = intake.submit_order(actor=sales, order=order("C0007", [("P1001", "5"), ("P1008", "4")]))
    intake.pass_check(actor=head, order=accepted, reason="资料齐全，信用良好")
    _confirmed(order("C0006", [("P1006", "20"), ("P1005", "40")], days=60), sales)
    # B-8, K-3: the customer's portal login has a shipment of its own to accept; sales records
    # the acceptance of the other (the newest) one.
    _shipped(order("C0001", [("P1002", "4")], days=25), sales)
    _shipped(order("C0001", [("P1006", "6")], days=30), sales)
    # B-8, D-2: and an order to confirm.
    _approved(order("C0001", [("P1005", "10")], days=40), sales)
    # I-1: a confirmed order whose customer asked to deliver elsewhere; the change is in review.
    changing = order("C0005", [("P1002", "8"), ("P1004", "2")], days=50)
    _confirmed(changing, sales)
    changes.raise_request(
        actor=sales,
        order=changing,
        kind="change",
        source="department",
        reason="客户新厂区启用，要求改送新地址",
        impact="运输路线和运费变化，交期不变",
        terms={"delivery_place": "北京市亦庄经济技术开发区科创十三街 18 号"},
    )
    # M-2, M-3: a draft the customer withdrew is cancelled and filed; production asks to read it.
    withdrawn = intake.cancel_draft(
        actor=sales, order=order("C0002", [("P1003", "50")]), reason="客户改用其他型号，作废草稿"
    )
    archive.request_access(
        actor=User.objects.get(username="production_staff"),
        record=ArchiveRecord.objects.get(order=withdrawn),
        reason="核对该客户以往的法兰需求，准备备料计划",
    )
    declined = intake.submit_order(actor=sales, order=order("C0008", [("P1007", "1000")], days=20))
    intake.escalate(actor=head, order=declined, reason="海外新客户，预付款条件未确认")
    intake.decide(actor=executive, order=declined, accept=False, reason="暂不接单，待客户确认预付款")
    intake.record_inquiry(
        actor=service,
        data={
            "customer": customers_by_code["C0005"],
            "contact_name": "刘洋",
            "channel": "email",
            "content": "询价：伺服电机 SM-750W 50 台，要求 30 天交货",
        },
        assignee=sales,
    )
    intake.record_inquiry(
        actor=service,
        data={
            "prospect_name": "无锡新材科技有限公司",
            "contact_name": "陈静",
            "contact_phone": "13800001111",
            "channel": "trade_show",
            "content": "展会咨询直线导轨",
        },
    )


def _confirmed(order: SalesOrder, sales: User) -> None:
    """An order all the way to the customer's confirmation, ready for its contract (C, D, E)."""
    from oms.review import actions as review

    order = _approved(order, sales)
    review.record_confirmation(
        actor=sales, order=order, confirmed_by_name=f"{order.customer.name} 采购部 {order.contact_name}"
    )


def _approved(order: SalesOrder, sales: User) -> SalesOrder:
    """An order through review and approval, waiting for the customer's confirmation (C, D)."""
    from oms.review import actions as review
    from oms.review.models import ApprovalStep, ReviewTask

    head = User.objects.get(username="sales_head")
    order = intake.submit_order(actor=sales, order=order)
    order = intake.pass_check(actor=head, order=order, reason="资料齐全")
    for task in ReviewTask.objects.filter(round__order=order, status="open").select_related("assignee"):
        review.give_opinion(actor=task.assignee, task=task, verdict="approve", comment="同意")
    for step in ApprovalStep.objects.filter(order=order).order_by("seq"):
        step.refresh_from_db()
        review.decide_step(actor=step.approver, step=step, approve=True, comment="同意")
    order.refresh_from_db()
    return order


def _shipped(order: SalesOrder, sales: User) -> None:
    """An order through its contract, release and one whole shipment, waiting for the customer's
    acceptance (E, F, G-5, K)."""
    from django.core.files.base import ContentFile

    from oms.contracts import actions as contracts
    from oms.fulfilment import actions as fulfilment
    from oms.quality import actions as quality

    head = User.objects.get(username="sales_head")
    _confirmed(order, sales)
    order.refresh_from_db()
    contract = contracts.generate_contract(actor=sales, order=order)
    contract = contracts.review_contract(
        actor=head,
        contract=contract,
        points={k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")},
    )
    contracts.sign_contract(
        actor=sales, contract=contract, scan=ContentFile(b"%PDF-1.4 demo signed contract", name="signed.pdf")
    )
    order = fulfilment.release_order(actor=head, order=order)
    # K-2, G-3: quality plans the inspection and passes the final inspection, which releases the goods.
    inspector = User.objects.get(username="quality_staff")
    quality.set_plan(
        actor=inspector,
        order=order,
        items=[
            {"item": "外观", "method": "目视", "frequency": "每批"},
            {"item": "尺寸", "method": "卡尺", "frequency": "每批抽检 5 件"},
        ],
    )
    for product_id in sorted({ln.product_id for ln in order.lines.all()}):
        quality.record_inspection(
            actor=inspector,
            order=order,
            stage="final",
            product_id=product_id,
            results={"外观": "无划伤、无锈蚀", "尺寸": "符合图纸"},
            passed=True,
        )
    today = timezone.localdate()
    fulfilment.ship(
        actor=User.objects.get(username="logistics_staff"),
        order=order,
        mode="pickup",
        shipped_on=today,
        quantities={ln.pk: ln.quantity for ln in order.lines.all()},
        confirmed_with="张伟",
        expected_arrival=order.delivery_date,  # the date agreed with the customer
        quantity_checked=True,
    )
