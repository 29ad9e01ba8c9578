"""One performer's outreach logs are checked for overlap and written one at a time.

"Look for a clashing log, then insert" run by two requests at once (a form sent
twice, a retrying client, two tabs) would let both find no clash and both
insert: the same minutes logged twice and billed twice. So the look and the
write happen while this connection holds the performer's named database lock
(MariaDB ``GET_LOCK``, as the month close does in close_guard.py), taken before
the look and let go only when the transaction that wrote the log has committed
or rolled back. The look itself is a locking read, so it sees logs committed
after this transaction's snapshot was taken.

Nothing else is locked while the lock is awaited (it is taken in the log's
validate, before any row of the log is written), so it cannot close a cycle
with the billing locks (records, then lines, then the naming series).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import escape_html

from care_management.billing.lock_names import lock_until_transaction_ends, site_lock_name

# Seconds a second save of the same performer's log waits for the first.
LOCK_WAIT_SECONDS = 15


def lock_name(performer: str) -> str:
	return site_lock_name("outreach", performer)


def hold_performer_lock(performer: str) -> None:
	"""Take the performer's lock until this transaction ends (re-entrant within it)."""
	if not lock_until_transaction_ends(lock_name(performer), LOCK_WAIT_SECONDS):
		frappe.throw(
			_(
				"Another outreach log of {0} is being saved right now. Wait a moment and save again; "
				"if it covers the same time, this one will be refused as an overlap."
			).format(frappe.bold(escape_html(performer))),
			title=_("Outreach Log Busy"),
		)
