"""Dinas PPKUKM admins read the log: the existing admin group gets the view permission
(accounts.services.admin_group_ensure grants it to groups made from now on)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN_GROUP_NAME = "Admin Dinas PPKUKM"


def grant(apps, schema_editor):
    config = apps.get_app_config("audit")
    config.models_module = True  # create_permissions skips apps it thinks have no models
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="audit", codename="view_auditentry")
    for group in Group.objects.filter(name=ADMIN_GROUP_NAME):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
