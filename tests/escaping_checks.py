"""Finds user-supplied values written into HTML without escaping, by reading the
app's source as text (no Frappe needed).

Frappe renders message text as HTML, so a patient's, caregiver's or resource's
name put into frappe.throw / msgprint / a comment or frappe.bold unescaped would
run in a care manager's desk if it carried markup. The rules are syntactic and
deliberately strict: a value is accepted when it is a literal, a translation of a
literal, a number-like expression (a row's idx, a length, a formatted date) or has
gone through an escaping function; anything else is reported. A line that is safe
for a reason these rules cannot see says so with a `html-safe: <why>` comment.

Python: the arguments of frappe.bold(...) anywhere, and every value formatted into
the text of frappe.throw / frappe.msgprint / add_comment (`.format(...)` arguments
and f-string parts).
JavaScript: every `${…}` in a template literal that writes markup, the whole
argument of `.html(…)`, and the arguments of `__()` inside the desk's HTML sinks
(msgprint, show_alert, throw, set_headline, set_headline_alert, set_intro,
dashboard comments, button labels, confirm).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import NamedTuple

MARKER = "html-safe:"


class Finding(NamedTuple):
	path: str
	line: int
	code: str

	def __str__(self) -> str:
		return f"{self.path}:{self.line}: {self.code}"


# ----------------------------------------------------------------------------- Python

PY_SINKS = {"frappe.throw", "frappe.msgprint", "throw", "msgprint"}
PY_SINK_METHODS = {"add_comment"}
# Functions whose result is safe to put into HTML, whatever their argument.
PY_SAFE_CALLS = {
	"escape_html",
	"frappe.utils.escape_html",
	"desk_link",
	"formatdate",
	"frappe.utils.formatdate",
	"format_datetime",
	"frappe.utils.format_datetime",
	"frappe.format",
	"frappe.format_value",
	"fmt_money",
	"frappe.utils.fmt_money",
	"len",
	"int",
	"cint",
	"flt",
	"round",
}
PY_SAFE_METHODS = {"strftime", "get_label"}  # dates; a DocType's own field labels
UPPER_CASE = re.compile(r"[A-Z][A-Z0-9_]*")


def dotted(node) -> str:
	if isinstance(node, ast.Attribute):
		return f"{dotted(node.value)}.{node.attr}"
	if isinstance(node, ast.Name):
		return node.id
	return "?"


def _marked(node, lines: list[str]) -> bool:
	end = getattr(node, "end_lineno", node.lineno)
	return any(MARKER in lines[n - 1] for n in range(node.lineno, end + 1))


def py_safe(node, lines: list[str]) -> bool:
	"""Whether this expression's value may go into HTML as it is."""
	if isinstance(node, ast.Constant):
		return True
	if _marked(node, lines):
		return True
	if isinstance(node, ast.Name):
		return bool(UPPER_CASE.fullmatch(node.id))
	if isinstance(node, ast.Attribute):
		return node.attr == "idx" or bool(UPPER_CASE.fullmatch(node.attr))
	if isinstance(node, ast.IfExp):
		return py_safe(node.body, lines) and py_safe(node.orelse, lines)
	if isinstance(node, ast.BoolOp):
		return all(py_safe(value, lines) for value in node.values)
	if isinstance(node, ast.BinOp):
		return py_safe(node.left, lines) and py_safe(node.right, lines)
	if isinstance(node, ast.JoinedStr):
		return all(py_safe(v.value, lines) for v in node.values if isinstance(v, ast.FormattedValue))
	if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
		return py_safe(node.elt, lines)
	if isinstance(node, ast.Call):
		name = dotted(node.func)
		if name in PY_SAFE_CALLS:
			return True
		if name == "_":
			return bool(node.args) and py_safe(node.args[0], lines)
		if name == "frappe.bold":
			return bool(node.args) and py_safe(node.args[0], lines)
		if isinstance(node.func, ast.Attribute):
			if node.func.attr in PY_SAFE_METHODS:
				return True
			if node.func.attr == "format":
				return py_safe(node.func.value, lines) and all(py_safe(a, lines) for a in node.args)
			if node.func.attr == "join":
				return py_safe(node.func.value, lines) and all(py_safe(a, lines) for a in node.args)
	return False


def _format_values(node):
	"""The values formatted into message text under this node; not looking inside
	an escaping call, whose result is safe whatever was formatted into it."""
	if isinstance(node, ast.Call) and dotted(node.func) in PY_SAFE_CALLS:
		return
	if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
		yield from node.args
		yield from (keyword.value for keyword in node.keywords)
	elif isinstance(node, ast.JoinedStr):
		yield from (v.value for v in node.values if isinstance(v, ast.FormattedValue))
	for child in ast.iter_child_nodes(node):
		yield from _format_values(child)


def python_findings(source: str, path: str = "<source>") -> list[Finding]:
	lines = source.splitlines()
	tree = ast.parse(source, filename=path)
	found = {}
	bold_args = set()

	def report(node):
		found[(node.lineno, node.col_offset)] = Finding(path, node.lineno, ast.unparse(node))

	calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
	for node in calls:
		if dotted(node.func) == "frappe.bold":
			for arg in node.args:
				if not py_safe(arg, lines):
					report(arg)
					bold_args.add(arg)
	for node in calls:
		name = dotted(node.func)
		is_sink = name in PY_SINKS or (
			isinstance(node.func, ast.Attribute) and node.func.attr in PY_SINK_METHODS
		)
		if is_sink:
			for part in [*node.args, *(k.value for k in node.keywords)]:
				for value in _format_values(part):
					# A bold value is reported once, where frappe.bold takes it.
					if not py_safe(value, lines) and not bold_args & set(ast.walk(value)):
						report(value)
	return sorted(found.values(), key=lambda f: f.line)


# ------------------------------------------------------------------------- JavaScript

JS_SINKS = re.compile(
	r"(\.html|msgprint|show_alert|frappe\.throw|set_headline|set_headline_alert|set_intro"
	r"|dashboard\.add_comment|add_custom_button|add_inner_button|frappe\.confirm)\s*\("
)
JS_SAFE_CALLS = (
	"frappe.utils.escape_html(",
	"esc(",
	"encodeURIComponent(",
	"frappe.datetime.str_to_user(",
	"frappe.datetime.",
	"cint(",
	"flt(",
	"format_currency(",
	"default_formatter(",
)
HTML_TAG = re.compile(r"<[a-zA-Z/]")
PROPERTY = re.compile(r"[\w$)\]]\s*(\?\.|\.)\s*[A-Za-z_$]|\[")
CLOSERS = {"(": ")", "[": "]", "{": "}"}


class Template(NamedTuple):
	start: int  # offset of the opening backtick
	end: int  # offset after the closing backtick
	text: str  # the literal parts, joined
	parts: list[tuple[int, str]]  # (offset, source) of each ${…}


def _skip_string(src: str, i: int) -> int:
	quote = src[i]
	i += 1
	while i < len(src) and src[i] != quote:
		i += 2 if src[i] == "\\" else 1
	return i + 1


def _skip_comment(src: str, i: int) -> int:
	if src.startswith("//", i):
		end = src.find("\n", i)
		return len(src) if end < 0 else end
	end = src.find("*/", i + 2)
	return len(src) if end < 0 else end + 2


def _read_template(src: str, i: int, templates: list[Template]) -> int:
	"""Reads the template literal opening at src[i]; records it and any nested ones."""
	start = i
	i += 1
	text, parts = [], []
	while i < len(src) and src[i] != "`":
		if src[i] == "\\":
			text.append(src[i : i + 2])
			i += 2
		elif src.startswith("${", i):
			expr_start = i + 2
			i = _read_expression(src, expr_start, "}", templates)
			parts.append((expr_start, src[expr_start:i]))
			i += 1
		else:
			text.append(src[i])
			i += 1
	templates.append(Template(start, i + 1, "".join(text), parts))
	return i + 1


def _read_expression(src: str, i: int, closer: str, templates: list[Template]) -> int:
	"""The offset of the closer that ends the expression starting at src[i]."""
	stack = [closer]
	while i < len(src):
		c = src[i]
		if c in "'\"":
			i = _skip_string(src, i)
			continue
		if c == "`":
			i = _read_template(src, i, templates)
			continue
		if src.startswith("//", i) or src.startswith("/*", i):
			i = _skip_comment(src, i)
			continue
		if c in CLOSERS:
			stack.append(CLOSERS[c])
		elif c == stack[-1]:
			stack.pop()
			if not stack:
				return i
		i += 1
	return i


def scan_js(src: str) -> list[Template]:
	templates: list[Template] = []
	i = 0
	while i < len(src):
		c = src[i]
		if c in "'\"":
			i = _skip_string(src, i)
		elif c == "`":
			i = _read_template(src, i, templates)
		elif src.startswith("//", i) or src.startswith("/*", i):
			i = _skip_comment(src, i)
		else:
			i += 1
	return templates


def _mask(expr: str) -> str:
	"""The expression with string and template literals replaced by S, comments dropped."""
	out, i = [], 0
	while i < len(expr):
		c = expr[i]
		if expr.startswith("//", i) or expr.startswith("/*", i):
			i = _skip_comment(expr, i)
		elif c in "'\"":
			i = _skip_string(expr, i)
			out.append("S")
		elif c == "`":
			i = _read_template(expr, i, [])
			out.append("S")
		else:
			out.append(c)
			i += 1
	return "".join(out)


def _split_top(expr: str, separators: tuple[str, ...]) -> list[str]:
	"""Splits at the separators that are outside brackets and literals."""
	masked = _mask_keep_length(expr)
	pieces, depth, last, i = [], 0, 0, 0
	while i < len(masked):
		c = masked[i]
		if c in "([{":
			depth += 1
		elif c in ")]}":
			depth -= 1
		elif depth == 0:
			for sep in separators:
				# `?.` and `??` are not the ternary's `?`.
				if sep == "?" and (masked[i + 1 : i + 2] in (".", "?") or masked[i - 1 : i] == "?"):
					continue
				if masked.startswith(sep, i):
					pieces.append(expr[last:i])
					last = i + len(sep)
					i = last - 1
					break
		i += 1
	pieces.append(expr[last:])
	return pieces


def _mask_keep_length(expr: str) -> str:
	"""The source with literals masked by S and comments by spaces, each of the same length."""
	out, i = [], 0
	while i < len(expr):
		c = expr[i]
		if expr.startswith("//", i) or expr.startswith("/*", i):
			end = _skip_comment(expr, i)
			out.append(re.sub(r"[^\n]", " ", expr[i:end]))
			i = end
		elif c in "'\"`":
			end = _skip_string(expr, i) if c != "`" else _read_template(expr, i, [])
			out.append("S" * (end - i))
			i = end
		else:
			out.append(c)
			i += 1
	return "".join(out)


def _strip_parens(expr: str) -> str:
	expr = expr.strip()
	while expr.startswith("(") and _read_expression(expr, 1, ")", []) == len(expr) - 1:
		expr = expr[1:-1].strip()
	return expr


def _translation_args(expr: str) -> list[str] | None:
	"""The argument list of `__("literal", [a, b])`, [] without one; None if not such a call."""
	if not expr.startswith("__(") or _read_expression(expr, 3, ")", []) != len(expr) - 1:
		return None
	inner = _split_top(expr[3:-1], (",",))
	if not _mask(inner[0].strip()) == "S":
		return None
	if len(inner) == 1:
		return []
	array = _strip_parens(",".join(inner[1:]))
	if not (array.startswith("[") and array.endswith("]")):
		return None
	return [a for a in _split_top(array[1:-1], (",",)) if a.strip()]


def js_safe(expr: str) -> bool:
	"""Whether this JavaScript expression's value may go into HTML as it is."""
	expr = _strip_parens(expr)
	if not expr:
		return True
	masked = _mask(expr)
	if re.fullmatch(r"S|-?\d+(\.\d+)?", masked):
		if expr.startswith("`"):
			return all(js_safe(part) for t in _templates_of(expr) for _o, part in t.parts)
		return True
	branches = _split_top(expr, ("?",))
	if len(branches) > 1:
		rest = "?".join(branches[1:])
		then_else = _split_top(rest, (":",))
		if len(then_else) >= 2:
			return js_safe(then_else[0]) and js_safe(":".join(then_else[1:]))
	for operators in (("||", "??"), ("&&",), ("+",)):
		operands = _split_top(expr, operators)
		if len(operands) > 1:
			return all(js_safe(o) for o in operands)
	args = _translation_args(expr)
	if args is not None:
		return all(js_safe(a) for a in args)
	if any(expr.startswith(call) for call in JS_SAFE_CALLS):
		return True
	if re.search(r"\.length$", masked) or re.search(
		r"\.map\((esc|frappe\.utils\.escape_html)\)\.join\(", masked
	):
		return True
	# A local variable or arithmetic on them: not a field's value.
	return not PROPERTY.search(masked) and "(" not in masked


def _templates_of(expr: str) -> list[Template]:
	templates: list[Template] = []
	_read_template(expr, 0, templates)
	return [t for t in templates if t.start == 0]


def _line(src: str, offset: int) -> int:
	return src.count("\n", 0, offset) + 1


def javascript_findings(source: str, path: str = "<source>") -> list[Finding]:
	lines = source.splitlines()
	found = {}

	def check(offset: int, expr: str):
		line = _line(source, offset)
		end_line = _line(source, offset + len(expr))
		if any(MARKER in lines[n - 1] for n in range(line, end_line + 1)):
			return
		if not js_safe(expr):
			found[offset] = Finding(path, line, " ".join(expr.split()))

	templates = scan_js(source)
	for template in templates:
		if HTML_TAG.search(template.text):
			for offset, part in template.parts:
				check(offset, part)
	masked = _mask_keep_length(source)
	for match in JS_SINKS.finditer(masked):
		open_at = match.end()
		close_at = _read_expression(source, open_at, ")", [])
		arguments = source[open_at:close_at]
		if match.group(1) == ".html":
			first = _split_top(arguments, (",",))[0]
			if first.strip().startswith("`"):
				for t in _templates_of(first.strip()):
					offset = open_at + arguments.index(first.strip())
					for part_offset, part in t.parts:
						check(offset + part_offset, part)
			else:
				check(open_at, first)
		for call in re.finditer(r"(?<![\w.])__\(", _mask_keep_length(arguments)):
			call_end = _read_expression(arguments, call.end(), ")", [])
			args = _translation_args(arguments[call.start() : call_end + 1])
			for arg in args or []:
				check(open_at + call.start() + arguments[call.start() :].index(arg), arg)
	return sorted(found.values(), key=lambda f: f.line)


# ------------------------------------------------------------------------------ files

APP = Path(__file__).resolve().parent.parent / "care_management"


def app_python_files() -> list[Path]:
	"""Code that builds what the desk shows: not the pure core, which returns data, nor tests."""
	return sorted(
		path
		for path in APP.rglob("*.py")
		if "tests" not in path.relative_to(APP).parts
		and not path.name.startswith("test_")
		and path.relative_to(APP).parts[0] != "domain"
	)


def app_javascript_files() -> list[Path]:
	return sorted(path for path in APP.rglob("*.js") if "dist" not in path.parts)


def app_findings() -> list[Finding]:
	found = []
	for path in app_python_files():
		found += python_findings(path.read_text(), str(path.relative_to(APP.parent)))
	for path in app_javascript_files():
		found += javascript_findings(path.read_text(), str(path.relative_to(APP.parent)))
	return found
