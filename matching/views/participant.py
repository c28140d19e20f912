"""Scaffold: replaced by the real views."""

from django.http import Http404


def events(request, **kwargs):
    raise Http404


def event_detail(request, **kwargs):
    raise Http404


def exhibitor_apply(request, **kwargs):
    raise Http404


def buyer_register(request, **kwargs):
    raise Http404


def participation(request, **kwargs):
    raise Http404


def withdraw(request, **kwargs):
    raise Http404


def need_edit(request, **kwargs):
    raise Http404


def need_delete(request, **kwargs):
    raise Http404


def availability(request, **kwargs):
    raise Http404


def counterparts(request, **kwargs):
    raise Http404


def meeting_request(request, **kwargs):
    raise Http404


def meeting_respond(request, **kwargs):
    raise Http404


def meeting_withdraw(request, **kwargs):
    raise Http404
