from django.db import migrations


def forwards(apps, schema_editor):
    from oms.contracts.rendering import DEFAULT_TEMPLATE

    ContractTemplate = apps.get_model("contracts", "ContractTemplate")
    if not ContractTemplate.objects.exists():
        ContractTemplate.objects.create(name="购销合同", body=DEFAULT_TEMPLATE)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
