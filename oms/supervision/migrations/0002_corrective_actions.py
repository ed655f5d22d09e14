# A finding's corrective action becomes an improvement action (ADR 0010): existing findings are
# carried over, each into an improvement action with the same owner, deadline, state and notes,
# before their own columns go.

import django.db.models.deletion
from django.db import migrations, models

_STATUS = {"open": "open", "corrected": "done", "verified": "verified"}


def carry_over(apps, schema_editor):
    Finding = apps.get_model("supervision", "Finding")
    ImprovementAction = apps.get_model("feedback", "ImprovementAction")
    for f in Finding.objects.select_related("spot_check", "order").order_by("pk"):
        action = ImprovementAction.objects.create(
            origin=f"检查发现 {f.spot_check.number if f.spot_check_id else ''} {f.order.number if f.order_id else ''}"[
                :100
            ],
            title=f.corrective_action[:200],
            owner_id=f.owner_id,
            due_on=f.due_at.date(),
            status=_STATUS.get(f.status, "open"),
            result=f.correction,
            verification=f.verification,
            created_by_id=f.created_by_id,
            created_at=f.created_at,
            done_at=f.corrected_at,
            verified_by_id=f.verified_by_id,
            verified_at=f.verified_at,
        )
        Finding.objects.filter(pk=f.pk).update(action=action)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_corrective_actions"),
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="action",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="feedback.improvementaction",
                verbose_name="整改措施",
            ),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="finding",
            options={
                "ordering": ["-created_at", "-pk"],
                "verbose_name": "检查发现",
                "verbose_name_plural": "检查发现",
            },
        ),
        *[
            migrations.RemoveField(model_name="finding", name=name)
            for name in (
                "corrected_at",
                "correction",
                "corrective_action",
                "due_at",
                "owner",
                "status",
                "verification",
                "verified_at",
                "verified_by",
                "version",
            )
        ],
        migrations.AlterField(
            model_name="finding",
            name="action",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="feedback.improvementaction",
                verbose_name="整改措施",
            ),
        ),
    ]
