"""Issue 21: the audit chain's lock and tail read as one statement on PostgreSQL
(`oms_audit_chain_tail`, used by `oms.audit.recorder`). SQLite needs no lock (one writer at a
time) and gets nothing."""

from django.db import migrations


# Kept here as written: `oms.audit.recorder` calls it by this name; see the comment there.
TAIL_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION oms_audit_chain_tail(lock_key bigint)
RETURNS TABLE (tail_hash text, tail_seq bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT e.hash::text, e.seq::bigint FROM audit_auditevent e ORDER BY e.id DESC LIMIT 1;
END $$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TAIL_FUNCTION_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS oms_audit_chain_tail(bigint)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_chain_and_truncate_trigger")]

    operations = [migrations.RunPython(create, drop)]
