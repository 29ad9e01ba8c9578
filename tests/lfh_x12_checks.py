"""An independent check of the 270/271 files: linuxforhealth-x12 (0.57.0), which
models 005010X279A1 but needs pydantic 1, run in a virtual environment of its own
(scripts/run-tests.sh makes it from tests/requirements-lfh-x12.txt and names it
in CARE_LFH_X12_PYTHON; otherwise it is made on first use under
~/.cache/care_management). A test that needs it skips, saying why, only when that
environment cannot be made (no network to PyPI)."""

import json
import os
import subprocess
import sys
from pathlib import Path

VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "care_management" / "lfh-x12-venv"
REQUIREMENTS = Path(__file__).resolve().parent / "requirements-lfh-x12.txt"
_READ = """
import json, sys
from linuxforhealth.x12.io import X12ModelReader
try:
    with X12ModelReader(sys.stdin.read()) as reader:
        models = [type(m).__name__ for m in reader.models()]
    print(json.dumps({"ok": True, "models": models}))
except Exception as error:
    print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))
"""


def lfh_python() -> str | None:
	"""The environment's python, made if missing; None when it cannot be made."""
	if os.environ.get("CARE_LFH_X12_PYTHON"):
		return os.environ["CARE_LFH_X12_PYTHON"]
	python = VENV / "bin" / "python"
	if python.exists():
		return str(python)
	try:
		subprocess.run(
			[sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True, timeout=300
		)
		subprocess.run(
			[str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
			check=True,
			capture_output=True,
			timeout=600,
		)
	except (subprocess.SubprocessError, OSError):
		return None
	return str(python)


def lfh_read(text: str) -> dict:
	"""{"ok": True, "models": [...]} or {"ok": False, "error": "..."} as linuxforhealth-x12 reads text."""
	python = lfh_python()
	if python is None:
		import pytest

		pytest.skip(
			"linuxforhealth-x12 could not be installed in its own environment (PyPI not reachable?): "
			"the 270/271 files are not checked by it in this run"
		)
	result = subprocess.run([python, "-c", _READ], input=text, capture_output=True, text=True, timeout=300)
	return json.loads(result.stdout.strip().splitlines()[-1])
