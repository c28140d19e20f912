"""A bare Django view, served by the same gunicorn and venv as the portal: no middleware, no
database, no template. Its throughput is the physical limit of the stack on this machine,
and the portal's pages are measured against it.

`gunicorn benchmarks.bare:application` (this module is its own settings module)."""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bare"

SECRET_KEY = "bare-django-of-the-benchmark"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "benchmarks.bare"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("", hello)]

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after the settings above

application = get_wsgi_application()
