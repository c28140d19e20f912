import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p3dn_portal.settings")

app = Celery("p3dn_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
