"""Remove the copies of 837P and 270 files that Frappe's file_manager.save_file left on
disk: it wrote each file under its name, then its File insert wrote it again suffixed
and recorded only that one, so every claim file the app wrote until now has an
unrecorded copy in the private files (patients' names and member IDs nobody could see
or remove in the desk). The app now writes them once (attached_file.attach_private_file).

Only files no File record points to, and older than an hour: a file an export or a
270 is writing while this runs is not yet recorded. Idempotent."""

import os
import time

import frappe

PREFIXES = ("837P-", "270-")
SETTLED_SECONDS = 3600


def execute():
	remove_unrecorded_copies(time.time() - SETTLED_SECONDS)


def remove_unrecorded_copies(written_before: float) -> list[str]:
	folder = frappe.get_site_path("private", "files")
	if not os.path.isdir(folder):
		return []
	candidates = [
		name
		for name in os.listdir(folder)
		if name.startswith(PREFIXES)
		and name.endswith(".txt")
		and os.path.getmtime(os.path.join(folder, name)) < written_before
	]
	if not candidates:
		return []
	recorded = set(
		frappe.db.sql_list(
			"select file_url from `tabFile` where file_url in %(urls)s",
			{"urls": [f"/private/files/{name}" for name in candidates]},
		)
	)
	removed = sorted(name for name in candidates if f"/private/files/{name}" not in recorded)
	for name in removed:
		os.remove(os.path.join(folder, name))
	return removed
