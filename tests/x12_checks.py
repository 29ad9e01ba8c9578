"""pyx12's verdict on an X12 interchange (the 837P claim files and the 835
remittances the tests write), shared by the pure-core tests and the real-site
tests (which load this file, tests/ not being a package the bench imports)."""

import io
import json

import pyx12.params
import pyx12.x12n_document


def pyx12_errors(text: str, acknowledge: bool = True) -> tuple[bool, list[str], str]:
	"""Whether the interchange passed, every error pyx12 reported (interchange, group,
	transaction, segment and element level) and its 999 (none when not ``acknowledge``:
	pyx12 cannot write one for an 835, whose ST has no ST03, and logs why)."""
	ack, report = io.StringIO(), io.StringIO()
	valid = pyx12.x12n_document.x12n_document(
		pyx12.params.params(), io.StringIO(text), ack if acknowledge else None, None, fd_json=report
	)
	errors: list[str] = []

	def collect(node):
		if isinstance(node, dict):
			for key, value in node.items():
				if key == "errors" and isinstance(value, list):
					errors.extend(json.dumps(e, default=str) for e in value)
				else:
					collect(value)
		elif isinstance(node, list):
			for item in node:
				collect(item)

	collect(json.loads(report.getvalue() or "{}"))
	return valid, errors, ack.getvalue()


def segments(text: str) -> list[str]:
	"""The interchange's segments, stripped, terminators and blank lines dropped."""
	return [s.strip() for s in text.split("~") if s.strip()]


def with_se_recount(segs: list[str]) -> str:
	"""Fix SE01 after a segment was removed, so the removal is the only defect."""
	out, count = [], 0
	for seg in segs:
		if seg.startswith("ST*"):
			count = 0
		count += 1
		if seg.startswith("SE*"):
			seg = f"SE*{count}*{seg.split('*')[2]}"
		out.append(seg)
	return "~\n".join(out) + "~\n"
