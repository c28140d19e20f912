"""Scaffold: replaced by the real views."""

from django.http import Http404


def agenda(request, **kwargs):
    raise Http404


def agenda_ics(request, **kwargs):
    raise Http404


def outcome(request, **kwargs):
    raise Http404


def checkin_desk(request, **kwargs):
    raise Http404


def table_sheet(request, **kwargs):
    raise Http404


def participant_agenda(request, **kwargs):
    raise Http404
