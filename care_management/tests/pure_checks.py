"""Checks that live with the pure-core tests (tests/*.py, not a package the bench
imports) loaded by file, so both tiers run the same rules."""

import importlib.util
import sys
from pathlib import Path

import care_management


def load(module_name: str):
	path = Path(care_management.__file__).resolve().parent.parent / "tests" / f"{module_name}.py"
	spec = importlib.util.spec_from_file_location(module_name, path)
	module = importlib.util.module_from_spec(spec)
	sys.modules.setdefault(spec.name, module)
	spec.loader.exec_module(module)
	return module
