"""The text of a file attached to an import (835, 999/277CA, 271): read once, size
checked before it is decoded, a byte-order mark dropped."""

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
