"""What accounts tells the apps above it. Accounts imports none of them: they connect in
their AppConfig.ready (the audit log records these, audit.apps). Sent inside the sender's
transaction, so what a receiver writes commits or rolls back with the change."""

from django.dispatch import Signal

# An admin (`by`) had a one-time link to make a new password mailed to `user`.
password_reset_link_sent = Signal()
