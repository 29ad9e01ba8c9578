"""What a patient (or a consented caregiver) may send from the portal: a goal's
progress and a message to the care team.

Patients type on phones; whatever arrives is stored as plain text of a bounded
length, so nothing a patient writes can carry markup into the desk or the page.
The rules return a refusal code, never a message: the caller says it in the
reader's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

PROGRESS_CHOICES = ("On Track", "Struggling", "Done")
NOTE_MAX_CHARS = 500
MESSAGE_MAX_CHARS = 2000
# A plan's goal says how it is going; a status a care manager set stays theirs.
GOAL_STATUSES_CLOSED = ("Achieved", "Not Achieved", "Cancelled")

# Refusal codes.
NO_PROGRESS = "no_progress"
UNKNOWN_PROGRESS = "unknown_progress"
TOO_LONG = "too_long"
EMPTY_MESSAGE = "empty_message"


class _TextOnly(HTMLParser):
	"""Collects the text of a fragment; tags (and script/style bodies) are dropped."""

	SKIPPED = {"script", "style"}

	def __init__(self):
		super().__init__(convert_charrefs=True)
		self.parts: list[str] = []
		self.skipping = 0

	def handle_starttag(self, tag, attrs):
		if tag in self.SKIPPED:
			self.skipping += 1
		elif tag in ("br", "p", "div", "li"):
			self.parts.append("\n")

	def handle_endtag(self, tag):
		if tag in self.SKIPPED and self.skipping:
			self.skipping -= 1

	def handle_data(self, data):
		if not self.skipping:
			self.parts.append(data)


def plain_text(value: str | None) -> str:
	"""Text without markup or control characters, lines trimmed, at most one blank line in a row."""
	parser = _TextOnly()
	parser.feed(str(value or ""))
	parser.close()
	text = "".join(parser.parts)
	# A stray "<" that never became a tag is kept as text by the parser; drop
	# angle brackets altogether so nothing renders as markup anywhere later.
	text = text.replace("<", "").replace(">", "")
	text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
	lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.replace("\r", "").split("\n")]
	return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class Checked:
	"""A cleaned input, or why it is refused (``problem`` with ``limit`` for TOO_LONG)."""

	text: str = ""
	progress: str = ""
	problem: str | None = None
	limit: int | None = None


def check_goal_progress(progress: str | None, note: str | None) -> Checked:
	progress = (progress or "").strip()
	if not progress:
		return Checked(problem=NO_PROGRESS)
	if progress not in PROGRESS_CHOICES:
		return Checked(problem=UNKNOWN_PROGRESS)
	text = plain_text(note)
	if len(text) > NOTE_MAX_CHARS:
		return Checked(problem=TOO_LONG, limit=NOTE_MAX_CHARS)
	return Checked(text=text, progress=progress)


def check_message(message: str | None) -> Checked:
	text = plain_text(message)
	if not text:
		return Checked(problem=EMPTY_MESSAGE)
	if len(text) > MESSAGE_MAX_CHARS:
		return Checked(problem=TOO_LONG, limit=MESSAGE_MAX_CHARS)
	return Checked(text=text)
