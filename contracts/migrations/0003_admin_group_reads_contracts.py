"""Dinas PPKUKM admins read contracts in Django admin: the existing admin group gets the view
permissions (accounts.services.admin_group_ensure grants them to groups made from now on)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN_GROUP_NAME = "Admin Dinas PPKUKM"
MODELS = (
    "contract",
    "contractflag",
    "contractline",
    "delivery",
    "deliveryline",
    "handover",
    "invoice",
    "payment",
    "rating",
)


def grant(apps, schema_editor):
    config = apps.get_app_config("contracts")
    config.models_module = True  # create_permissions skips apps it thinks have no models
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="contracts", codename__in=[f"view_{m}" for m in MODELS]
    )
    for group in Group.objects.filter(name=ADMIN_GROUP_NAME):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0002_contracts_of_contracted_packages"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
