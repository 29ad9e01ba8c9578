"""The core must stay importable without Frappe: the desk, reports and the
billing engine all lean on it, and this tier runs where no bench exists."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "care_management" / "domain"
FORBIDDEN = ("frappe", "erpnext", "healthcare")


def imported_roots(path: Path) -> set[str]:
	roots = set()
	for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
		if isinstance(node, ast.Import):
			roots.update(alias.name.split(".")[0] for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
			roots.add(node.module.split(".")[0])
	return roots


def test_no_core_module_imports_frappe_erpnext_or_healthcare():
	offenders = {
		str(path.relative_to(DOMAIN)): sorted(imported_roots(path) & set(FORBIDDEN))
		for path in DOMAIN.rglob("*.py")
		if imported_roots(path) & set(FORBIDDEN)
	}
	assert offenders == {}


def test_core_package_has_modules_to_check():
	assert any(DOMAIN.rglob("*.py"))
