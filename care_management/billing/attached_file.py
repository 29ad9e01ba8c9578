"""Files the app attaches: the text of an import's file (835, 999/277CA, 271) read once,
size checked before it is decoded, a byte-order mark dropped; and a private file the
app writes (837P, 270, a demo's consent form) attached to its record."""

import frappe
from frappe import _


def attached_text(file_url: str, max_bytes: int, too_large: str) -> str:
	"""``too_large`` is the translated refusal, with {0} for the limit in MB."""
	content = frappe.get_doc("File", {"file_url": file_url}).get_content()
	if isinstance(content, bytes):
		if len(content) > max_bytes:
			limit = max_bytes // (1024 * 1024)
			frappe.throw(too_large.format(limit), title=_("File Too Large"))  # html-safe: a number
		content = content.decode("utf-8-sig", errors="replace")
	return content


def attach_private_file(file_name: str, content, doctype: str, name: str, fieldname: str | None = None):
	"""A private File attached to ``doctype`` ``name``, written to disk once.

	Not frappe.utils.file_manager.save_file: it writes the content under ``file_name``,
	then its File insert writes it again under a suffixed name and records only that
	one, so every claim file left a copy on disk that no File record points to (and a
	rollback removed only the recorded one). A File inserted with its content writes it
	once and removes it if the transaction rolls back."""
	return frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name,
			"content": content,
			"attached_to_doctype": doctype,
			"attached_to_name": name,
			"attached_to_field": fieldname,
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
