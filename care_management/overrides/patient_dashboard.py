"""Care-management records in the Patient form's Connections tab."""

from frappe import _


def get_data(data):
	data.setdefault("transactions", []).append(
		{
			"label": _("Care Management"),
			"items": ["Care Program Enrollment", "Care Plan", "Outreach Log"],
		}
	)
	data["transactions"].append(
		{
			"label": _("Social Needs"),
			"items": ["Needs Screening", "Screening Invitation", "Resource Referral"],
		}
	)
	return data
