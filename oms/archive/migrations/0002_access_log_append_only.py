from django.db import migrations

from oms.audit import triggers


def forwards(apps, schema_editor):
    """Issue 20.11: the access log is append-only in the database (UPDATE, DELETE and, on
    PostgreSQL, TRUNCATE refused), and every existing row gets its audit event, so that the
    verification can vouch for rows written before this change too. Nothing is rewritten."""
    triggers.install(
        schema_editor.connection, table="archive_accesslog", prefix="accesslog", message="the access log is append-only"
    )
    from oms.archive.integrity import ACCESS_ACTION, OBJECT_TYPE
    from oms.audit import recorder
    from oms.audit.models import normalise

    AccessLog = apps.get_model("archive", "AccessLog")
    for row in AccessLog.objects.order_by("pk").iterator():
        fields = {
            "record": row.record_id,
            "user": row.user_id,
            "kind": row.kind,
            "at": row.at,
            "detail": row.detail,
            "request": row.request_id,
        }
        recorder.record(
            actor="migration",
            obj=None,
            action=ACCESS_ACTION,
            after=normalise(fields),
            reason="recorded when the access log came under the audit chain",
            object_type=OBJECT_TYPE,
            object_id=str(row.pk),
            object_repr=f"{row.record_id} · {row.user_id} · {row.kind}",
        )


def backwards(apps, schema_editor):
    triggers.drop(schema_editor.connection, table="archive_accesslog", prefix="accesslog")


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial"), ("audit", "0003_keyed_chain_and_truncate_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
