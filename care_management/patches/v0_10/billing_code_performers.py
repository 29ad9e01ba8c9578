"""Corrects the CY2026 Billing Codes the first seed got wrong on who may perform them.

- A behavioral health care manager is clinical staff: their minutes count
  towards 99484, and towards G0570, which APCM bills as 99484.
- CHI (G0019, G0022) and PIN (G0023, G0024) are furnished by auxiliary
  personnel, clinical staff as well as community health workers and navigators
  (42 CFR 410.26): 60 minutes by a nurse care manager billed nothing.
- CHI needs an initiating visit in which the practitioner identified the
  social needs (the new Initiating Visit element).

A record is corrected only while it still holds what the first seed shipped in
the fields corrected here; one an admin has changed there is theirs, and is
left as it is. Run again, a corrected record no longer holds the old values,
so nothing is written twice. New sites get the corrected seed on install.
"""

import frappe

SEED_YEAR_START = "2026-01-01"
FIELDS = (
	"counts_clinical_staff",
	"counts_physician",
	"counts_bh_care_manager",
	"counts_chw",
	"requires_initiating_visit",
)


def values(clinical_staff=0, physician=0, bh_care_manager=0, chw=0, initiating_visit=0) -> dict:
	return dict(zip(FIELDS, (clinical_staff, physician, bh_care_manager, chw, initiating_visit), strict=True))


# code: (as the first seed shipped it, as corrected)
CORRECTIONS = {
	"99484": (values(clinical_staff=1), values(clinical_staff=1, bh_care_manager=1)),
	"G0570": (values(clinical_staff=1), values(clinical_staff=1, bh_care_manager=1)),
	"G0019": (values(chw=1), values(clinical_staff=1, chw=1, initiating_visit=1)),
	"G0022": (values(chw=1), values(clinical_staff=1, chw=1, initiating_visit=1)),
	"G0023": (values(chw=1), values(clinical_staff=1, chw=1)),
	"G0024": (values(chw=1), values(clinical_staff=1, chw=1)),
}


def execute():
	records = frappe.get_all(
		"Billing Code",
		filters={"code": ("in", list(CORRECTIONS)), "effective_from": SEED_YEAR_START},
		fields=["name", "code", *FIELDS],
	)
	for record in records:
		shipped, corrected = CORRECTIONS[record.code]
		if any(int(record.get(field) or 0) != value for field, value in shipped.items()):
			continue  # changed by an admin, or already corrected
		doc = frappe.get_doc("Billing Code", record.name)
		doc.update(corrected)
		doc.save(ignore_permissions=True)  # a Version records the correction
