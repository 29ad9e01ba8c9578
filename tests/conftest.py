"""The pure-core tier: these tests import care_management.domain only, and must
pass on a machine that has no Frappe installed."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
