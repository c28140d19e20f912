"""Scaffold: replaced by the real views."""

from django.http import Http404


def dashboard(request, **kwargs):
    raise Http404


def dashboard_xlsx(request, **kwargs):
    raise Http404


def event_move(request, **kwargs):
    raise Http404


def suggestions_run(request, **kwargs):
    raise Http404


def schedule(request, **kwargs):
    raise Http404


def schedule_run(request, **kwargs):
    raise Http404
