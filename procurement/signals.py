"""What procurement tells the apps above it (contracts). Procurement imports none of them:
they connect in their AppConfig.ready. Sent inside the sender's transaction, so what a
receiver writes commits or rolls back with the change."""

from django.dispatch import Signal

# The PPK recorded the contract of `package` (status Berkontrak, its winner, number and
# date set); `by` is the user who recorded it.
package_contracted = Signal()
