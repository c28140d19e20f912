"""Dinas PPKUKM admins keep the blacklist: the existing admin group may add, change and view
blacklistings (accounts.services.admin_group_ensure grants it to groups made from now on)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN_GROUP_NAME = "Admin Dinas PPKUKM"
CODENAMES = ("add_blacklisting", "change_blacklisting", "view_blacklisting")


def grant(apps, schema_editor):
    config = apps.get_app_config("vendors")
    config.models_module = True  # create_permissions skips apps it thinks have no models
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="vendors", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name=ADMIN_GROUP_NAME):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("vendors", "0009_blacklist_and_ratings"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
