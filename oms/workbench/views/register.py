"""The order-execution register page (订单执行跟踪表, issue 23 point 10, H-1): the list machinery's
page (filters, date range, paging with a capped count, Excel export with typed cells) over the
register's rows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from oms.orders.models import SalesOrder
from oms.orders.selectors import number_search
from oms.web.listing import Column, ListSpec
from oms.workbench.selectors.register import STAGES, overdue_only, register_rows, stage_column
from oms.workbench.views.entry import customer_choices, salesperson_choices

REGISTER_SPEC = ListSpec(
    model=SalesOrder,
    prefix="workbench:register",
    title=gettext_lazy("订单执行跟踪表"),
    columns=[
        Column("number"),
        Column("customer__name", gettext_lazy("客户")),
        Column("salesperson", sortable=False),
        Column("status"),
        Column("order_date"),
        Column("delivery_date"),
        Column("total_amount", group="price"),
        # A day per stage and the overdue count are subqueries: sorting by them would read every
        # order of the scope, so the register sorts only by the order's own indexed columns.
        *(Column(stage_column(status), label, sortable=False) for status, label in STAGES),
        Column("overdue_steps", gettext_lazy("超时事项"), sortable=False),
    ],
    selector=register_rows,
    search_fields=("number", "customer__name", "customer__code", "customer__pinyin", "external_ref"),
    search_conditions={"number": number_search},
    filters=("status", "salesperson", "customer"),
    scoped_choices={"salesperson": salesperson_choices, "customer": customer_choices},
    date_field="order_date",
    flag_filters={"overdue": (gettext_lazy("仅超时"), overdue_only)},
    detail_url_name="workbench:order_detail",
)
