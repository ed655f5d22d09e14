"""A controlled document's next version written with the read of its earlier ones (E-2, I-4,
issue 21): one `INSERT … SELECT` instead of an aggregate read and an insert.

The version number is one more than the highest of the same order, type and title, and the new
version keeps the customer's view of the current one (H-1, B-8), both computed by the statement
that inserts, which the caller runs holding the order's row (so two uploads of one title take
their numbers one after the other). Field values are prepared by each field's own `pre_save` and
`get_db_prep_save`, as `save()` prepares them (the file stored, `uploaded_at` set)."""

from __future__ import annotations

from django.db import connections, router

from oms.contracts.models import Document

# Computed from the earlier versions (the rows the SELECT aggregates; none: version 1, not shared).
_COMPUTED = {
    "version_no": "COALESCE(MAX(version_no), 0) + 1",
    "shared_with_customer": "COUNT(id) FILTER (WHERE shared_with_customer AND NOT superseded) > 0",
}


def insert_next_version(document: Document) -> None:
    """Write `document` (new, unsaved) as the next version of its title; its primary key, version
    number and customer view are set from the statement's RETURNING."""
    alias = router.db_for_write(Document)
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(Document._meta.db_table)
    columns, values, params = [], [], []
    for field in Document._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(str(field.column)))
        if field.name in _COMPUTED:
            values.append(_COMPUTED[field.name])
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(document, True), connection))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} "  # noqa: S608 - names from the model
        "WHERE order_id = %s AND doc_type = %s AND title = %s "
        "RETURNING id, version_no, shared_with_customer"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, document.order_id, document.doc_type, document.title])
        pk, version_no, shared = cursor.fetchone()
    document.pk, document.version_no, document.shared_with_customer = pk, int(version_no), bool(shared)
    document._state.adding = False
    document._state.db = alias
