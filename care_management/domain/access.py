"""Who may see which patients' care-management records.

Patient data is PHI. Supervisors, billing staff and system managers see every
patient; a care manager sees the patients in their caseload; a practitioner
sees the plans they supervise and the enrollments they bill. A user with both
a caseload and a practitioner role sees the union.
"""

from __future__ import annotations

from dataclasses import dataclass

SEE_ALL_ROLES = frozenset(
	{"Administrator", "System Manager", "Care Management Supervisor", "Care Management Billing"}
)
CASELOAD_ROLE = "Care Manager"
PRACTITIONER_ROLE = "Physician"


@dataclass(frozen=True)
class AccessScope:
	all_patients: bool = False
	own_caseload: bool = False
	as_practitioner: bool = False

	@property
	def works_caseloads(self) -> bool:
		"""A caseload of one's own, or every caseload of the practice: what the worklist counts.
		A practitioner alone has none (they see the plans they supervise, not a worklist)."""
		return self.own_caseload or self.all_patients

	@property
	def nothing(self) -> bool:
		return not (self.all_patients or self.own_caseload or self.as_practitioner)


def access_scope(roles: set[str] | frozenset[str] | list[str]) -> AccessScope:
	roles = set(roles)
	if roles & SEE_ALL_ROLES:
		return AccessScope(all_patients=True)
	return AccessScope(own_caseload=CASELOAD_ROLE in roles, as_practitioner=PRACTITIONER_ROLE in roles)
