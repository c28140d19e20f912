"""A contract for every package contracted before the contracts app: the same rows the
receiver of procurement.signals.package_contracted writes (contracts.copying)."""

from django.db import migrations

from contracts.copying import copy_contract


def forwards(apps, schema_editor):
    Package = apps.get_model("procurement", "Package")
    contracted = (
        Package.objects.filter(status="contracted", winner__isnull=False)
        .exclude(contract_number="")
        .filter(contract_signed_on__isnull=False)
        .select_related("winner__vendor")
    )
    for package in contracted.iterator():
        copy_contract(
            package,
            contract_model=apps.get_model("contracts", "Contract"),
            line_model=apps.get_model("contracts", "ContractLine"),
            bid_line_model=apps.get_model("procurement", "BidLine"),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("procurement", "0008_admin_search_indexes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
