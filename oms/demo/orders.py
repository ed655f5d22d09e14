"""The demo's orders (B, P-2): a few at every stage, entered and worked through the real actions
by the demo company's people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from oms.accounts.models import User
from oms.archive import actions as archive
from oms.archive.models import ArchiveRecord
from oms.catalog.models import Product
from oms.changes import actions as changes
from oms.changes.forms import change_values
from oms.customers.models import Customer
from oms.intake import actions as intake
from oms.orders.models import SalesOrder


def demo_orders() -> None:
    """A few orders at every intake stage, entered and worked through the real actions (B, P-2)."""
    sales = User.objects.get(username="sales_staff")
    head = User.objects.get(username="sales_head")
    executive = User.objects.get(username="executive")
    service = User.objects.get(username="customer_service_staff")
    order = _order_entry(sales)
    _at_intake(order, sales, head)
    _past_intake(order, sales)
    _ended(order, sales, head, executive)
    _inquiries(service, sales)


def _order_entry(sales: User) -> Callable[..., SalesOrder]:
    """How the demo salesperson enters an order: customer code, (product code, quantity) lines,
    its class, days to delivery and any other field."""
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

    return order


def _at_intake(order: Callable[..., SalesOrder], sales: User, head: User) -> None:
    """B-3..B-6: a draft, orders submitted, sent back for information, escalated and accepted."""
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


def _past_intake(order: Callable[..., SalesOrder], sales: User) -> None:
    """Orders confirmed, shipped, awaiting the customer's confirmation and under change."""
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
    # The demo's request is typed by the request's forms, as the page types it (issue 22).
    changes.raise_request(
        actor=sales,
        order=changing,
        **change_values(
            {
                "kind": "change",
                "source": "department",
                "reason": "客户新厂区启用，要求改送新地址",
                "impact": "运输路线和运费变化，交期不变",
            },
            {"delivery_place": "北京市亦庄经济技术开发区科创十三街 18 号"},
            None,
        ),
    )


def _ended(order: Callable[..., SalesOrder], sales: User, head: User, executive: User) -> None:
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


def _inquiries(service: User, sales: User) -> None:
    """B-1: an inquiry from a customer assigned to sales, and one from a prospect at a trade show."""
    intake.record_inquiry(
        actor=service,
        data={
            "customer": Customer.objects.get(code="C0005"),
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
