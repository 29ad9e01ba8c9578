"""Names for MariaDB's named locks (GET_LOCK), one set per site.

A named lock belongs to the database server, not to a database: on a bench whose
sites share one MariaDB server, a clerk closing November on one site would
otherwise wait for (and be refused by) a close of November on another, and
two practices' staff would queue on each other's outreach logs.
"""

from __future__ import annotations

import hashlib

import frappe

MAX_LENGTH = 64  # MariaDB's limit on a lock name


def site_lock_name(kind: str, key: str) -> str:
	"""``care_management:<site>:<kind>:<key>``, the key hashed when the whole would be too long."""
	site = hashlib.sha1((frappe.conf.db_name or frappe.local.site or "").encode()).hexdigest()[:10]
	prefix = f"care_management:{site}:{kind}:"
	if len(prefix) + len(key) > MAX_LENGTH:
		key = hashlib.sha1(key.encode()).hexdigest()[: MAX_LENGTH - len(prefix)]
	return prefix + key


def lock_until_transaction_ends(name: str, wait: float) -> bool:
	"""Take the named lock, waiting up to ``wait`` seconds; it is let go when this
	connection's transaction commits or rolls back. False when it did not come."""
	if not frappe.db.sql("select get_lock(%s, %s)", (name, wait))[0][0]:
		return False

	def release():
		frappe.db.sql("select release_lock(%s)", name)

	frappe.db.after_commit.add(release)
	frappe.db.after_rollback.add(release)
	return True
