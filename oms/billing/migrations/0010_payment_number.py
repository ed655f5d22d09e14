"""Issue 23: a payment (收款) has its own number in the policy's format (SK{yyyy}{seq:05d}).
Payments recorded before are numbered in the order they were recorded, per year, and the year's
counter continues after them."""

from django.db import migrations, models

FORMAT = "SK{yyyy}{seq:05d}"


def number_existing(apps, schema_editor):
    Payment = apps.get_model("billing", "Payment")
    NumberSequence = apps.get_model("policy", "NumberSequence")
    last: dict[int, int] = {}
    for payment in Payment.objects.order_by("created_at", "pk").only("pk", "created_at"):
        year = payment.created_at.year
        last[year] = last.get(year, 0) + 1
        number = FORMAT.format(yyyy=f"{year:04d}", seq=last[year])
        Payment.objects.filter(pk=payment.pk).update(number=number)
    for year, seq in last.items():
        counter, _created = NumberSequence.objects.get_or_create(key=f"payment:SK{year:04d}")
        counter.last = max(counter.last, seq)
        counter.save(update_fields=["last"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0009_red_letter_invoices"), ("policy", "0002_defaults")]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="number",
            field=models.CharField(max_length=60, null=True, verbose_name="收款编号"),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
    ]
