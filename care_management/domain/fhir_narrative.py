"""FHIR narrative (Resource.text.div) built safely.

Every value from a record is text: it is escaped, and characters XML cannot
hold are dropped, so whatever a care manager typed (or a feed imported) the
div stays well-formed XHTML with only the few elements the narrative rules
allow (no script, style, links or attributes). Nothing here renders markup
that came from data.
"""

from __future__ import annotations

import re
from html import escape

XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def text(value) -> str:
	"""Data as XHTML text: escaped, line breaks kept as <br/>."""
	cleaned = _NOT_XML.sub("", str(value if value is not None else ""))
	lines = cleaned.replace("\r\n", "\n").replace("\r", "\n").split("\n")
	return "<br/>".join(escape(line, quote=True) for line in lines)


def element(tag: str, content: str) -> str:
	"""content must already be XHTML built by this module."""
	return f"<{tag}>{content}</{tag}>"


def labelled(label: str, value) -> str:
	return f"<b>{text(label)}</b>: {text(value)}"


def section(heading: str, items: list[str]) -> str:
	"""A heading and a list; items are XHTML built by this module. Nothing when empty."""
	if not items:
		return ""
	return element("h3", text(heading)) + element("ul", "".join(element("li", item) for item in items))


def div(parts: list[str]) -> str:
	body = "".join(part for part in parts if part)
	return f'<div xmlns="{XHTML_NAMESPACE}">{body}</div>'
