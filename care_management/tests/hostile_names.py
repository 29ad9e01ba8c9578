"""Names as hostile data arrives: typed at a front desk, brought by Data Import or
the REST API, or carried in by a third-party HSDS feed. Every tier uses these: the
pure tier (spreadsheet cells, HSDS package), the integration tier (exports and
refusal messages) and the browser flow (scripts/browser_flow.py).

Kept free of frappe imports, so the pure tier can import it.
"""

# A spreadsheet runs these as formulas (CSV / formula injection, OWASP).
FORMULAS = (
	'=HYPERLINK("http://evil.example","Click")',
	"+cmd|' /C calc'!A0",
	"-1+1",
	"@SUM(1,1)",
	"\t=1+1",
	"\r=1+1",
)
# The desk renders message text as HTML: these must stay text.
# Each with text around it: a field of markup alone counts as empty to Frappe.
MARKUP = (
	"Ann <img src=x onerror=window.__pwned=1>",
	"<b>Bold</b> Name",
	'Zoe x"><svg onload=window.__pwned=1>',
	"Max <script>window.__pwned=1</script>",
)
TEMPLATE = "{{ 7*7 }} {% raw %}"
RTL = "\u202eevil\u202c Name"
LONG = "Long" + "x" * 296  # 300 characters

# One first name each (Patient.first_name is a Data field of 140 characters).
PATIENT_FIRST_NAMES = (*FORMULAS, *MARKUP, TEMPLATE, RTL)
EVERY_NAME = (*PATIENT_FIRST_NAMES, LONG)

# What these names would leave in a page written unescaped: their tags, as typed or as
# Frappe's own filter leaves them (`<img src="x">`). Handlers such as `onerror=` may
# stay as text once the tag around them is escaped.
MARKUP_SIGNS = ("<img src=x", '<img src="x"', "<svg", "<script>window", "<b>Bold")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def unsafe_cell(cell) -> bool:
	"""Whether a spreadsheet would run this CSV cell as a formula (a plain number is not one)."""
	if not isinstance(cell, str) or not cell.startswith(FORMULA_STARTS):
		return False
	try:
		float(cell)
	except ValueError:
		return True
	return False


def markup_in(text: str) -> list[str]:
	"""The signs of live markup in rendered message text."""
	return [sign for sign in MARKUP_SIGNS if sign in (text or "")]
