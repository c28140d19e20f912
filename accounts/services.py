from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q

from accounts.models import User

ADMIN_GROUP_NAME = "Admin Dinas PPKUKM"

# The apps whose records Dinas PPKUKM admins manage day to day.
_ADMIN_APPS = ("vendors", "procurement", "matching")


def mail_deliver(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send one message now (called from a Celery task; views queue, never send)."""
    message = EmailMultiAlternatives(
        subject=subject.strip().replace("\n", " "),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


def mail_queue(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Queue a message to go out once the current transaction commits."""
    from accounts.tasks import mail_send

    mail_send.delay_on_commit(subject=subject, body=body, to=to, html_body=html_body)


@transaction.atomic
def admin_group_ensure() -> Group:
    """The group that gives Dinas PPKUKM admins their permissions in Django admin: every
    permission on the programme's records, and viewing and changing users (not deleting)."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    permissions = Permission.objects.filter(
        Q(content_type__app_label__in=_ADMIN_APPS)
        | Q(
            content_type__app_label="accounts",
            codename__in=["view_user", "change_user", "add_user"],
        )
    )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def admin_create(*, email: str, full_name: str, password: str | None) -> User:
    """A Dinas PPKUKM admin: staff, in the admin group, not a superuser."""
    user = User.objects.create_user(email, password, full_name=full_name, is_staff=True)
    user.groups.add(admin_group_ensure())
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Remember the user's language so that mail to them is written in it too."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}.")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
