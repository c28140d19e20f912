"""Mail on a developer's machine: one line per message in the terminal (to, subject and the
first link it carries), so that `make run` shows what was sent without pages of bodies."""

import re
import sys
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

_LINK = re.compile(r"https?://\S+")


def one_line(message: EmailMessage) -> str:
    """`Mail to a@b.id: Subject -> http://…/link` (the arrow and link only when it has one)."""
    link = _LINK.search(message.body or "")
    line = f"Mail to {', '.join(message.to)}: {message.subject}"
    return f"{line} -> {link.group(0).rstrip('.,)')}" if link else line


class OneLineConsoleEmailBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The real terminal: a Celery worker would wrap sys.stdout's lines in its log format.
        self.stream = stream or sys.__stdout__

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            self.stream.write(one_line(message) + "\n")
        self.stream.flush()
        return len(email_messages)
