"""Open Referral HSDS 3.0 <-> the app's Community Resource, as plain dicts.

Import keeps the HSDS ids so a re-import updates instead of duplicating;
export produces `service` objects (with organization, phones and
service_at_locations) that validate against HSDS's compiled service schema.
Taxonomy terms are kept as code and name only: the 211 taxonomy is licensed.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import date

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
PHONE_TYPES = ("text", "voice", "fax", "cell", "video", "pager", "textphone")
NEED_CATEGORIES = (
	"Food", "Housing", "Transportation", "Utilities", "Interpersonal Safety", "Financial Strain", "Employment",
	"Education", "Social Isolation", "Mental Health", "Substance Use", "Disability", "Caregiver Support", "Legal",
)  # fmt: skip
_NAMESPACE = uuid.UUID("6f1d1f5e-8c1b-4b8f-9d55-1c2a3b4c5d6e")


def stable_id(*parts: str) -> str:
	"""A UUID for a record that has no HSDS id yet, the same on every export."""
	return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def hsds_id(value: str | None, kind: str, *fallback: str) -> str:
	"""The id an export gives a record: its HSDS id when that is a UUID, as HSDS 3.0
	requires; an id of another shape (a feed's "svc-1") mapped to a UUIDv5 of it,
	the same on every export; with no id, a UUIDv5 of ``fallback``."""
	if value and _UUID.match(value):
		return value.lower()
	if value:
		return stable_id(kind, "id", value)
	return stable_id(kind, *fallback)


# A feed is untrusted input. Everything below reads it defensively: a value of
# the wrong type, or too long for the field it lands in, becomes a (field,
# reason) problem and is left out or cut, and only a service whose own id,
# name, status or organization is unusable is refused. Nothing here raises on
# any JSON value, so one malformed row cannot sink an import. Text stays text:
# nothing is parsed or escaped as HTML here; whoever renders it escapes it.

Problems = list[tuple[str, str]]

# What the Community Resource doctype holds: a Data field is varchar(140), a
# Small Text field MariaDB's TEXT (65,535 bytes of UTF-8). Values are fitted
# here so that the database never refuses a whole row for one long value.
DATA_CHARACTERS = 140
TEXT_BYTES = 65_535
# How a value is fitted to its field. Free text is cut ("data": to 140
# characters, "text": to 65,535 bytes); an id, a URL, an email address or a
# phone number cut short would be a wrong one, so "exact" leaves it out.
DATA, TEXT, EXACT = "data", "text", "exact"
_SURROGATES = re.compile("[\ud800-\udfff]")
_CLEANED = "held characters a database cannot keep (NUL, lone surrogates); removed or replaced"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _kind(value) -> str:
	"""What a JSON value is, in the words a problem uses."""
	if value is None:
		return "empty (null)"
	if isinstance(value, bool):
		return "true/false"
	if isinstance(value, int | float):
		return "a number"
	if isinstance(value, str):
		return "text"
	if isinstance(value, list | tuple):
		return "a list"
	if isinstance(value, dict):
		return "an object"
	return f"a {type(value).__name__}"


def _shown(value, size: int = 60) -> str:
	"""The value as a problem quotes it: short, and escaped so any string can be stored."""
	text = repr(value) if not isinstance(value, str) else repr(value[: size + 1])
	return text if len(text) <= size else text[: size - 1] + "…"


def _storable(text: str) -> tuple[str, bool]:
	"""The text without what a database column refuses (NUL, which PostgreSQL
	rejects, and lone surrogates, which are not UTF-8), and whether it changed."""
	cleaned = _SURROGATES.sub("\ufffd", text.replace("\x00", ""))
	return cleaned, cleaned != text


# A tag as a browser would read one: "<img …>", "</b>", "<!-- …", "<?php".
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>?")
_MARKUP_REMOVED = (
	"held markup (such as {0}); kept as plain text without it, as feed text is data, never markup"
)


def _plain(value: str, field: str, problems: Problems) -> str:
	"""Feed text with any markup taken out (and said so): what a directory shows
	is the text a feed sends, never tags a browser would run."""
	found = _MARKUP.search(value)
	if not found:
		return value
	problems.append((field, _MARKUP_REMOVED.format(_shown(found.group(0), 40))))
	return " ".join(_MARKUP.sub(" ", value).split())


def _fit(value: str, field: str, problems: Problems, fit: str | None) -> str | None:
	"""The text fitted to its field as `fit` says (None: the caller fits it)."""
	if fit == TEXT:
		encoded = value.encode("utf-8")
		if len(encoded) > TEXT_BYTES:
			problems.append(
				(field, f"is {len(encoded)} bytes long; cut to the {TEXT_BYTES} this field holds")
			)
			return encoded[:TEXT_BYTES].decode("utf-8", "ignore")
	elif fit in (DATA, EXACT) and len(value) > DATA_CHARACTERS:
		if fit == EXACT:
			problems.append(
				(
					field,
					f"is {len(value)} characters long, more than the {DATA_CHARACTERS} this field holds; "
					"cut short it would be wrong, so it is left out",
				)
			)
			return None
		problems.append(
			(field, f"is {len(value)} characters long; cut to the {DATA_CHARACTERS} this field holds")
		)
		return value[:DATA_CHARACTERS]
	return value


def _text(value, field: str, problems: Problems, fit: str | None = DATA) -> str | None:
	"""An optional text value fitted to its field; None when absent or unusable
	(a value of another type is a problem and left out)."""
	if value is None or value == "":
		return None
	if not isinstance(value, str):
		problems.append((field, f"is {_kind(value)}, not text; left out"))
		return None
	value, changed = _storable(value)
	if changed:
		problems.append((field, _CLEANED))
	if fit in (DATA, TEXT):
		value = _plain(value, field, problems)
	if not value.strip():
		return None
	return _fit(value, field, problems, fit)


def _required(value, field: str, problems: Problems, fit: str | None = DATA) -> str | None:
	"""A required text value; None (with the problem that refuses the service)
	when it is missing, not text, or an id too long to keep whole."""
	if isinstance(value, str):
		value, changed = _storable(value)
		if changed:
			problems.append((field, _CLEANED))
		if fit in (DATA, TEXT) and _MARKUP.search(value):
			value = _plain(value, field, problems)
			if not value:
				problems.append((field, "is markup with no text in it"))
				return None
	if value is None or (isinstance(value, str) and not value.strip()):
		problems.append((field, "required by HSDS and missing"))
		return None
	if not isinstance(value, str):
		problems.append((field, f"is {_kind(value)}, not text"))
		return None
	if fit == EXACT and len(value) > DATA_CHARACTERS:
		problems.append(
			(field, f"is {len(value)} characters long, more than the {DATA_CHARACTERS} an id can have")
		)
		return None
	return _fit(value, field, problems, fit)


def _choice(value, field: str, choices: tuple[str, ...], problems: Problems) -> str | None:
	"""One of the choices (case and spaces aside), or None with a problem."""
	text = _text(value, field, problems, fit=None)
	if text is None:
		return None
	if text.strip().lower() in choices:
		return text.strip().lower()
	problems.append((field, f"{_shown(value)} is not one of {', '.join(choices)}; left out"))
	return None


def _object(value, field: str, problems: Problems) -> dict:
	"""An optional HSDS object; {} when absent, or (with a problem) when it is not an object."""
	if value is None:
		return {}
	if isinstance(value, dict):
		return value
	problems.append((field, f"is {_kind(value)}, not an object; left out"))
	return {}


def _items(value, field: str, problems: Problems, what: str = "an object"):
	"""The objects of an optional HSDS list, in order, read lazily (only what is
	used is checked); anything else in their place is a problem and skipped."""
	if value is None:
		return
	if not isinstance(value, list):
		problems.append((field, f"is {_kind(value)}, not a list; left out"))
		return
	for number, item in enumerate(value, start=1):
		if isinstance(item, dict):
			yield item
		else:
			problems.append((field, f"item {number} is {_kind(item)}, not {what}; left out"))


# WGS84 decimal degrees. A value outside them is no position (a ZIP code in the
# latitude column, say, or HSDS's own example's latitude 100), so it is refused.
COORDINATE_RANGES = {"latitude": 90.0, "longitude": 180.0}


def coordinate_problem(axis: str, value) -> str | None:
	"""What is wrong with one coordinate (given, not empty), if anything."""
	if isinstance(value, bool) or not isinstance(value, int | float | str):
		return f"is {_kind(value)}, not a number"
	try:
		number = float(value)
	except (ValueError, OverflowError):
		number = math.nan
	if not math.isfinite(number):
		return f"{_shown(value)} is not a number"
	limit = COORDINATE_RANGES[axis]
	if not -limit <= number <= limit:
		return f"{number:g} is outside -{limit:g}..{limit:g}, the range of a {axis} in degrees"
	return None


def degrees_text(value) -> str:
	"""A coordinate as the Community Resource keeps it: text (the field must be able
	to be empty), six decimals at most (about 0.1 m), no trailing zeros."""
	return f"{float(value):.6f}".rstrip("0").rstrip(".")


def position(latitude, longitude) -> tuple[float, float] | None:
	"""(latitude, longitude) as numbers when both are known and usable; None for
	half a position, a bad value, or 0,0 (the old default of an empty coordinate,
	in the Gulf of Guinea: no directory's resource is there)."""
	if latitude in (None, "") or longitude in (None, ""):
		return None
	if coordinate_problem("latitude", latitude) or coordinate_problem("longitude", longitude):
		return None
	latitude, longitude = float(latitude), float(longitude)
	if latitude == 0 and longitude == 0:
		return None
	return latitude, longitude


def _coordinates(location: dict, problems: Problems) -> tuple[str | None, str | None]:
	"""(latitude, longitude) as degrees_text, both None when either is not a usable
	coordinate: half a position is no position."""
	found = []
	for axis in ("latitude", "longitude"):
		value, field = location.get(axis), f"service_at_locations.location.{axis}"
		if value is None or value == "":
			found.append(None)
			continue
		if problem := coordinate_problem(axis, value):
			problems.append((field, f"{problem}; the coordinates are left out"))
			return None, None
		found.append(float(value))
	if (found[0] is None) != (found[1] is None):
		given = "latitude" if found[0] is not None else "longitude"
		problems.append(
			(
				f"service_at_locations.location.{given}",
				"is given without its pair; the coordinates are left out",
			)
		)
		return None, None
	if found[0] is None or (found[0] == 0 and found[1] == 0):
		return None, None  # none given, or 0,0: how many exporters write "unknown"
	return degrees_text(found[0]), degrees_text(found[1])


def _date(value, field: str, problems: Problems) -> str | None:
	"""An ISO date (a datetime's date part is enough), or None with a problem."""
	if value is None or value == "":
		return None
	if not isinstance(value, str):
		problems.append((field, f"is {_kind(value)}, not a date (YYYY-MM-DD); left out"))
		return None
	text = value.strip()[:10]
	if _ISO_DATE.fullmatch(text):
		try:
			return date.fromisoformat(text).isoformat()
		except ValueError:
			pass
	problems.append((field, f"{_shown(value)} is not a date (YYYY-MM-DD); left out"))
	return None


# What a taxonomy term's name or code says about our need categories. 211
# (AIRS) codes: BD-18 emergency food, BH housing/shelter, BT transportation,
# BV utility assistance; names are matched on whole words.
_NEED_PATTERNS = {
	"Food": r"\bfood|\bmeals?\b|\bpantr|\bnutrition|\bsnap\b|^bd-18",
	"Housing": r"\bhousing|\bshelter|\brent(al)?\b|\bhomeless|\beviction|^bh\b|^bh-",
	"Transportation": r"\btransportation|\btransit\b|\bparatransit|\brides?\b|^bt-",
	"Utilities": r"\butilit|\benergy assistance|\bliheap\b|\bheating assistance|^bv-",
	"Interpersonal Safety": r"\binterpersonal safety|\bdomestic violence|\bintimate partner|\babuse\b",
	"Financial Strain": r"\bfinancial|\bcash assistance|\bbenefits? (enrollment|screening)",
	"Employment": r"\bemployment|\bjob (training|placement|search)",
	"Education": r"\beducation|\bged\b|\bliteracy|\besl\b",
	"Social Isolation": r"\bsocial isolation|\bisolation|\bcompanionship|\bfriendly visit",
	"Mental Health": r"\bmental health|\bcounsel+ing|\bbehavioral health|\bcrisis line",
	"Substance Use": r"\bsubstance|\baddiction|\balcohol|\bdrug (use|treatment)",
	"Disability": r"\bdisabilit",
	"Caregiver Support": r"\bcaregiver|\brespite",
	"Legal": r"\blegal\b|\blegal aid",
}


def _need_categories(attributes, problems: Problems) -> list[dict]:
	"""Our need categories, from what each taxonomy term's name or code says."""
	needs = []
	for attribute in _items(attributes, "attributes", problems, "an attribute object"):
		term = _object(attribute.get("taxonomy_term"), "attributes.taxonomy_term", problems)
		name = _text(term.get("name"), "attributes.taxonomy_term.name", problems, fit=None)
		code = _text(term.get("code"), "attributes.taxonomy_term.code", problems, fit=None)
		texts = [(name or "").casefold(), (code or "").casefold()]
		kept = None
		for category in NEED_CATEGORIES:
			pattern = _NEED_PATTERNS.get(category) or re.escape(category.casefold())
			if category in [n["need_category"] for n in needs]:
				continue
			if category.casefold() in texts[0] or any(re.search(pattern, text) for text in texts if text):
				# Matched on the whole term; what is kept is fitted once, so a long term is one problem.
				if kept is None:
					kept = (
						_fit(code, "attributes.taxonomy_term.code", problems, EXACT) if code else None,
						_fit(name, "attributes.taxonomy_term.name", problems, DATA) if name else None,
					)
				needs.append({"need_category": category, "taxonomy_code": kept[0], "taxonomy_name": kept[1]})
	return needs


def _schedule_text(schedules, problems: Problems) -> str | None:
	"""One line per HSDS schedule: its description, else its days and hours."""
	lines = []
	for schedule in _items(schedules, "schedules", problems, "a schedule object"):
		times = [
			_text(schedule.get(k), f"schedules.{k}", problems, fit=None) for k in ("opens_at", "closes_at")
		]
		hours = "–".join(t[:5] for t in times if t)
		line = _text(schedule.get("description"), "schedules.description", problems, fit=None) or " ".join(
			p for p in (_text(schedule.get("byday"), "schedules.byday", problems, fit=None), hours) if p
		)
		if line and line not in lines:
			lines.append(line)
	return _fit("\n".join(lines), "schedules", problems, TEXT) if lines else None


_ZIP = re.compile(r"\b\d{5}(?:-\d{4})?\b")


def _service_area(areas, problems: Problems) -> tuple[str | None, str | None]:
	"""(postal codes, counties) from HSDS service areas given as text: ZIP codes
	found in the extent or name, and areas named as a county or parish.
	Geographic extents (GeoJSON, KML) are left to the HSDS source."""
	codes, counties = [], []
	for area in _items(areas, "service_areas", problems, "a service area object"):
		extent_type = area.get("extent_type")
		if extent_type is not None and not isinstance(extent_type, str):
			problems.append(
				("service_areas.extent_type", f"is {_kind(extent_type)}, not text; the area is left out")
			)
			continue
		if (extent_type or "text").lower() != "text":
			continue
		extent = _text(area.get("extent"), "service_areas.extent", problems, fit=None) or ""
		name = _text(area.get("name"), "service_areas.name", problems, fit=None) or ""
		found = _ZIP.findall(f"{extent} {name}")
		for code in found:
			if code[:5] not in codes:
				codes.append(code[:5])
		name = name.strip()
		if not found and re.search(r"\b(county|parish)\b", name, re.IGNORECASE) and name not in counties:
			counties.append(name)
	return (
		_fit("\n".join(codes), "service_areas", problems, TEXT) if codes else None,
		_fit("\n".join(counties), "service_areas", problems, TEXT) if counties else None,
	)


def _languages(languages, problems: Problems) -> str | None:
	"""The languages' names (else codes), as many whole ones as the field holds."""
	names = []
	for language in _items(languages, "languages", problems, "a language object"):
		name = _text(language.get("name"), "languages.name", problems) or _text(
			language.get("code"), "languages.code", problems
		)
		if name:
			names.append(name)
	kept = []
	for number, name in enumerate(names):
		if len(", ".join([*kept, name])) > DATA_CHARACTERS:
			left = len(names) - number
			problems.append(
				(
					"languages",
					f"{left} more language{'s' if left > 1 else ''} left out; "
					f"this field holds {DATA_CHARACTERS} characters",
				)
			)
			break
		kept.append(name)
	return ", ".join(kept) or None


def _phone(phones, problems: Problems) -> tuple[str | None, str | None]:
	"""(number, type) of the first phone that has a usable number."""
	for phone in _items(phones, "phones", problems, "a phone object"):
		number = (_text(phone.get("number"), "phones.number", problems, EXACT) or "").strip('"') or None
		if number:
			return number, _choice(phone.get("type"), "phones.type", PHONE_TYPES, problems)
	return None, None


def _term_meaning(term: dict) -> tuple[str, str]:
	"""(code, name) of a taxonomy term, as compared: blanks and case aside."""
	code, name = term.get("code"), term.get("name")
	return (
		" ".join(code.split()).upper() if isinstance(code, str) else "",
		" ".join(name.split()).casefold() if isinstance(name, str) else "",
	)


def _show_meaning(term: dict) -> str:
	code, name = term.get("code"), term.get("name")
	parts = [_shown(name, 40) if isinstance(name, str) and name.strip() else None]
	parts.append(f"({_shown(code, 30)})" if isinstance(code, str) and code.strip() else None)
	return " ".join(p for p in parts if p) or "nothing"


class TermMeanings:
	"""What each taxonomy term id meant the first time a feed used it. A feed that
	gives one id two meanings (BD-18 "Food" in one service, BH "Housing" in
	another) is reported on the later service; its needs still come from that
	service's own code and name."""

	def __init__(self):
		self._first: dict[str, tuple[tuple[str, str], dict]] = {}

	def problems(self, service) -> Problems:
		found: Problems = []
		attributes = service.get("attributes") if isinstance(service, dict) else None
		if not isinstance(attributes, list):
			return found
		reported = set()
		for attribute in attributes:
			term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
			if not isinstance(term, dict) or not isinstance(term.get("id"), str) or not term["id"].strip():
				continue
			term_id, meaning = term["id"].strip(), _term_meaning(term)
			if meaning == ("", ""):
				continue
			first_meaning, first_term = self._first.setdefault(term_id, (meaning, term))
			if first_meaning != meaning and term_id not in reported:
				reported.add(term_id)
				found.append(
					(
						"attributes.taxonomy_term.id",
						f"{_shown(term_id)} is {_show_meaning(term)} here but was {_show_meaning(first_term)} "
						"earlier in this feed; one id must name one term, so this service's needs come from "
						"its own code and name",
					)
				)
		return found


def resource_from_service(service) -> tuple[dict | None, list[tuple[str, str]]]:
	"""A Community Resource (fields as the doctype names them) and the problems
	found in the service, as (field, reason). The resource is None when the
	service is refused (no usable id, name, status or organization); otherwise
	each problem names a part that was left out or cut, and the rest imports."""
	if not isinstance(service, dict):
		return None, [("service", f"is {_kind(service)}, not an object")]
	problems: Problems = []
	service_id = _required(service.get("id"), "id", problems, EXACT)
	name = _required(service.get("name"), "name", problems, DATA)
	status = _required(service.get("status"), "status", problems, fit=None)
	if status is not None and status.strip().lower() not in STATUSES:
		problems.append(("status", f"{_shown(service.get('status'))} is not one of {', '.join(STATUSES)}"))
		status = None
	organization = _object(service.get("organization"), "organization", problems)
	organization_id = _text(service.get("organization_id"), "organization_id", problems, EXACT)
	organization_name = _text(organization.get("name"), "organization.name", problems) or organization_id
	if not organization_name:
		problems.append(("organization", "the service names no organization"))
	if None in (service_id, name, status, organization_name):
		return None, problems

	at_location = next(_items(service.get("service_at_locations"), "service_at_locations", problems), {})
	location = _object(at_location.get("location"), "service_at_locations.location", problems)
	address = next(
		_items(
			location.get("addresses"),
			"service_at_locations.location.addresses",
			problems,
			"an address object",
		),
		{},
	)
	resource = {
		"hsds_service_id": service_id,
		"hsds_organization_id": _text(organization.get("id"), "organization.id", problems, EXACT)
		or organization_id,
		"hsds_location_id": _text(location.get("id"), "service_at_locations.location.id", problems, EXACT),
		"hsds_service_at_location_id": _text(
			at_location.get("id"), "service_at_locations.id", problems, EXACT
		),
		"resource_name": name,
		"organization_name": organization_name,
		"organization_description": _text(
			organization.get("description"), "organization.description", problems, TEXT
		),
		"description": _text(service.get("description"), "description", problems, TEXT),
		"status": status.strip().lower(),
		"email": _text(service.get("email"), "email", problems, EXACT)
		or _text(organization.get("email"), "organization.email", problems, EXACT),
		"website": _text(service.get("url"), "url", problems, EXACT)
		or _text(organization.get("website"), "organization.website", problems, EXACT),
		"eligibility": _text(
			service.get("eligibility_description"), "eligibility_description", problems, TEXT
		),
		"fees": _text(service.get("fees_description"), "fees_description", problems, TEXT),
		"application_process": _text(
			service.get("application_process"), "application_process", problems, TEXT
		),
		"wait_time": _text(service.get("wait_time"), "wait_time", problems),
		"last_verified_on": _date(service.get("assured_date"), "assured_date", problems),
		"languages": _languages(service.get("languages"), problems),
	}
	resource["phone"], resource["phone_type"] = _phone(service.get("phones"), problems)
	for field in ("address_1", "address_2", "city", "state_province", "postal_code", "country"):
		resource[field] = _text(
			address.get(field), f"service_at_locations.location.addresses.{field}", problems
		)
	resource["latitude"], resource["longitude"] = _coordinates(location, problems)
	resource["schedule"] = _schedule_text(service.get("schedules"), problems)
	resource["service_area_postal_codes"], resource["service_area_counties"] = _service_area(
		service.get("service_areas"), problems
	)
	resource["needs"] = _need_categories(service.get("attributes"), problems)
	return resource, problems


def service_from_resource(resource: dict) -> dict:
	"""An HSDS `service` object for a Community Resource."""
	service_id = hsds_id(resource.get("hsds_service_id"), "service", resource["name"])
	organization_id = hsds_id(
		resource.get("hsds_organization_id"), "organization", resource["organization_name"]
	)
	location_id = hsds_id(resource.get("hsds_location_id"), "location", resource["name"])
	coordinates = position(resource.get("latitude"), resource.get("longitude"))

	def clean(data: dict) -> dict:
		return {k: v for k, v in data.items() if v not in (None, "", [])}

	service = clean(
		{
			"id": service_id,
			"organization_id": organization_id,
			"name": resource["resource_name"],
			"description": resource.get("description"),
			"url": resource.get("website"),
			"email": resource.get("email"),
			"status": resource.get("status") or "active",
			"application_process": resource.get("application_process"),
			"fees_description": resource.get("fees"),
			"wait_time": resource.get("wait_time"),
			"eligibility_description": resource.get("eligibility"),
			"assured_date": str(resource["last_verified_on"]) if resource.get("last_verified_on") else None,
			"organization": clean(
				{
					"id": organization_id,
					"name": resource["organization_name"],
					"description": resource.get("organization_description") or resource["organization_name"],
				}
			),
			"phones": [
				clean(
					{
						"id": stable_id("phone", service_id),
						"number": resource["phone"],
						"type": resource.get("phone_type"),
					}
				)
			]
			if resource.get("phone")
			else [],
			"schedules": [
				{"id": stable_id("schedule", service_id, line), "description": line}
				for line in (resource.get("schedule") or "").splitlines()
				if line.strip()
			],
			"service_areas": [
				{
					"id": stable_id("area", service_id, "postal"),
					"name": "Postal codes " + " ".join(codes),
					"extent": " ".join(codes),
					"extent_type": "text",
				}
				for codes in [(resource.get("service_area_postal_codes") or "").split()]
				if codes
			]
			+ [
				{
					"id": stable_id("area", service_id, county),
					"name": county,
					"extent": county,
					"extent_type": "text",
				}
				for county in (resource.get("service_area_counties") or "").splitlines()
				if county.strip()
			],
			"languages": [
				{"id": stable_id("language", service_id, name.strip()), "name": name.strip()}
				for name in (resource.get("languages") or "").split(",")
				if name.strip()
			],
			"attributes": [
				clean(
					{
						"id": stable_id("attribute", service_id, need["need_category"]),
						"link_type": "service",
						"link_entity": "service",
						"link_id": service_id,
						"value": need["need_category"],
						"taxonomy_term": clean(
							{
								"id": stable_id("term", need.get("taxonomy_code") or need["need_category"]),
								"code": need.get("taxonomy_code"),
								"name": need.get("taxonomy_name") or need["need_category"],
								"description": need["need_category"],
							}
						),
					}
				)
				for need in resource.get("needs") or []
			],
		}
	)
	# A location only for what is known of it: never a position of 0,0 for "unknown".
	if resource.get("address_1") or coordinates:
		address = clean(
			{
				"id": stable_id("address", location_id),
				"address_1": resource.get("address_1") or "",
				"address_2": resource.get("address_2"),
				"city": resource.get("city") or "",
				"state_province": resource.get("state_province") or "",
				"postal_code": resource.get("postal_code") or "",
				"country": resource.get("country") or "US",
				"address_type": "physical",
			}
		)
		location = clean(
			{
				"id": location_id,
				"location_type": "physical",
				"name": resource["resource_name"],
				"latitude": coordinates[0] if coordinates else None,
				"longitude": coordinates[1] if coordinates else None,
				"addresses": [address] if resource.get("address_1") else [],
			}
		)
		service["service_at_locations"] = [
			{
				"id": hsds_id(resource.get("hsds_service_at_location_id"), "sal", service_id, location_id),
				"location": location,
			}
		]
	return service
