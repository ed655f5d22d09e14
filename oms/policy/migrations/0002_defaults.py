"""Policy v1 from the seeds' defaults, and the statutory calendar for the years the package knows."""

import datetime

from django.db import migrations


def forwards(apps, schema_editor):
    from oms.policy import statutory
    from oms.policy.schema import PolicyData

    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    CalendarDay = apps.get_model("policy", "CalendarDay")
    if not PolicyVersion.objects.exists():
        PolicyVersion.objects.create(
            number=1, data=PolicyData().model_dump(mode="json"), note="默认制度（来自制度文本）"
        )
    last_year = statutory.last_known_year()
    first_year = min(last_year, datetime.date.today().year) - 1
    rows = []
    for year in range(first_year, last_year + 1):
        if not CalendarDay.objects.filter(date__year=year).exists():
            rows += [
                CalendarDay(date=d, is_workday=w, name=n, source="seed")
                for d, w, n in statutory.statutory_days(year)
            ]
    CalendarDay.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
