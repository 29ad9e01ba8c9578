"""The official HSDS 3.0 examples, for the tests that are not about coordinates.

The examples put their location at latitude 100, longitude 101: the schema's type
(a number) allows it, but no place on Earth is there, so the import leaves such
coordinates out with a problem (tests/test_hsds.py proves it on the example as
published). Tests about other fields read the example moved to Springfield, IL,
so that the only problems they see are their own.
"""

import copy
import json
from pathlib import Path

HSDS = Path(__file__).resolve().parent / "fixtures" / "hsds-3.0"
LATITUDE, LONGITUDE = 39.7817, -89.6501


def official_service() -> dict:
	return json.loads((HSDS / "examples" / "service_full.json").read_text())


def on_earth(service: dict) -> dict:
	"""The service with each location's coordinates moved into range."""
	service = copy.deepcopy(service)
	for at_location in service.get("service_at_locations") or []:
		location = at_location.get("location") or {}
		if "latitude" in location:
			location["latitude"], location["longitude"] = LATITUDE, LONGITUDE
	return service


def official_package() -> dict[str, str]:
	return {path.name: path.read_text() for path in (HSDS / "examples" / "csv").glob("*.csv")}


def package_on_earth() -> dict[str, str]:
	files = official_package()
	files["locations.csv"] = files["locations.csv"].replace(",100,101,", f",{LATITUDE},{LONGITUDE},")
	return files
