"""Master-data pages: list with search, filters, sort, pagination and Excel export; create and
edit forms with version checks. One implementation serves every master-data model; each app
describes its pages with a `ListSpec` (columns, filters, its selector and its actions).
"""

from oms.web.listing.export import (
    FORMULA_TRIGGERS,
    excel_number_format,
    export_xlsx,
    sheets_xlsx,
    table_xlsx,
    watermark,
    workbook_bytes,
    xlsx_response,
)
from oms.web.listing.pages import FormPage, ListPage, SpecMixin, StyledModelForm, model_form, urls_for
from oms.web.listing.query import (
    COUNT_CAP,
    EXPORT_LIMIT,
    PAGE_SIZE,
    SEARCH_IDS,
    CappedPaginator,
    Column,
    ListSpec,
    capped,
    capped_count,
    cell,
    coded_labels,
    filter_choices,
    filtered,
    first_keys_and_count,
    labelled,
    search_condition,
    shown,
)

__all__ = [
    "COUNT_CAP",
    "EXPORT_LIMIT",
    "FORMULA_TRIGGERS",
    "PAGE_SIZE",
    "SEARCH_IDS",
    "CappedPaginator",
    "Column",
    "FormPage",
    "ListPage",
    "ListSpec",
    "SpecMixin",
    "StyledModelForm",
    "capped",
    "capped_count",
    "cell",
    "coded_labels",
    "excel_number_format",
    "export_xlsx",
    "filter_choices",
    "filtered",
    "first_keys_and_count",
    "labelled",
    "model_form",
    "search_condition",
    "sheets_xlsx",
    "shown",
    "table_xlsx",
    "urls_for",
    "watermark",
    "workbook_bytes",
    "xlsx_response",
]
