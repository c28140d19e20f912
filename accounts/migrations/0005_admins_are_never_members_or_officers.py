"""An admin account (staff or superuser) is never a vendor's user nor an OPD officer: it would
read the sealed bids of the company it joined. A CHECK constraint cannot look at another
table, so triggers refuse it in the database itself, whichever way the row is written: a
membership or an officer post for an admin account, and an account made admin while it is
a member or an officer. The member/officer side locks the user row (FOR SHARE), so that a
concurrent "make admin" waits and then sees the new row.

The "Admin Dinas PPKUKM" group is also brought down to the permissions its work needs
(accounts.services.ADMIN_GROUP_PERMISSIONS, copied here as it stands at this migration)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FORWARD = """
CREATE FUNCTION account_admin_is_no_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'accounts_user' THEN
        IF (NEW.is_staff OR NEW.is_superuser) AND (
            EXISTS (SELECT 1 FROM vendors_vendormember WHERE user_id = NEW.id)
            OR EXISTS (SELECT 1 FROM procurement_officer WHERE user_id = NEW.id)
        ) THEN
            RAISE EXCEPTION 'user % is a vendor member or an officer: it cannot be an admin', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'admin_is_no_member';
        END IF;
    ELSIF EXISTS (
        SELECT 1 FROM accounts_user
        WHERE id = NEW.user_id AND (is_staff OR is_superuser)
        FOR SHARE
    ) THEN
        RAISE EXCEPTION 'user % is an admin: it cannot be a vendor member or an officer', NEW.user_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'admin_is_no_member';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER admin_is_no_member
    BEFORE INSERT OR UPDATE OF is_staff, is_superuser ON accounts_user
    FOR EACH ROW EXECUTE FUNCTION account_admin_is_no_member();
CREATE TRIGGER admin_is_no_member
    BEFORE INSERT OR UPDATE OF user_id ON vendors_vendormember
    FOR EACH ROW EXECUTE FUNCTION account_admin_is_no_member();
CREATE TRIGGER admin_is_no_member
    BEFORE INSERT OR UPDATE OF user_id ON procurement_officer
    FOR EACH ROW EXECUTE FUNCTION account_admin_is_no_member();
"""

REVERSE = """
DROP TRIGGER IF EXISTS admin_is_no_member ON procurement_officer;
DROP TRIGGER IF EXISTS admin_is_no_member ON vendors_vendormember;
DROP TRIGGER IF EXISTS admin_is_no_member ON accounts_user;
DROP FUNCTION IF EXISTS account_admin_is_no_member();
"""

ADMIN_GROUP_NAME = "Admin Dinas PPKUKM"
ADMIN_GROUP_PERMISSIONS = (
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_user",
    "audit.view_auditentry",
    "axes.delete_accessattempt",
    "axes.view_accessattempt",
    "matching.add_event",
    "matching.add_eventbreak",
    "matching.add_eventday",
    "matching.add_meeting",
    "matching.change_event",
    "matching.change_eventbreak",
    "matching.change_eventday",
    "matching.change_meeting",
    "matching.change_outcome",
    "matching.change_participant",
    "matching.delete_checkin",
    "matching.delete_event",
    "matching.delete_eventbreak",
    "matching.delete_eventday",
    "matching.view_checkin",
    "matching.view_event",
    "matching.view_eventbreak",
    "matching.view_eventday",
    "matching.view_meeting",
    "matching.view_need",
    "matching.view_outcome",
    "matching.view_participant",
    "matching.view_schedulerun",
    "matching.view_suggestion",
    "otp_totp.delete_totpdevice",
    "otp_totp.view_totpdevice",
    "procurement.add_officer",
    "procurement.add_opd",
    "procurement.change_officer",
    "procurement.change_opd",
    "procurement.delete_officer",
    "procurement.view_bid",
    "procurement.view_objection",
    "procurement.view_officer",
    "procurement.view_opd",
    "procurement.view_package",
    "procurement.view_packageevent",
    "procurement.view_packageitem",
    "vendors.add_halalassistance",
    "vendors.add_product",
    "vendors.add_vendor",
    "vendors.change_halalassistance",
    "vendors.change_halalcertificate",
    "vendors.change_product",
    "vendors.change_tkdncertificate",
    "vendors.change_vendor",
    "vendors.view_halalassistance",
    "vendors.view_halalcertificate",
    "vendors.view_invitation",
    "vendors.view_product",
    "vendors.view_tkdncertificate",
    "vendors.view_vendor",
    "vendors.view_vendormember",
)


def least_privilege(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True  # create_permissions skips apps it thinks have no models
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = []
    for name in ADMIN_GROUP_PERMISSIONS:
        app_label, codename = name.split(".")
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            wanted.append(permission)
    for group in Group.objects.filter(name=ADMIN_GROUP_NAME):
        group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_outgoing_mail_about_a_bid"),
        ("vendors", "0005_vendor_deactivated_status"),
        ("procurement", "0005_constraint_message_percent"),
        ("audit", "0005_password_links_and_deactivations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0001_initial"),
        ("otp_totp", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, REVERSE),
        migrations.RunPython(least_privilege, migrations.RunPython.noop),
    ]
