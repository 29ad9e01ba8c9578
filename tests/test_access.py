from care_management.domain.access import AccessScope, access_scope


def test_supervisors_billing_and_admins_see_everyone():
	for role in ("Care Management Supervisor", "Care Management Billing", "System Manager", "Administrator"):
		assert access_scope({role, "Care Manager"}) == AccessScope(all_patients=True)


def test_care_manager_sees_own_caseload_only():
	assert access_scope(["Care Manager", "Employee"]) == AccessScope(own_caseload=True)


def test_physician_sees_supervised_records():
	assert access_scope({"Physician"}) == AccessScope(as_practitioner=True)


def test_physician_who_is_also_care_manager_sees_both():
	assert access_scope({"Physician", "Care Manager"}) == AccessScope(own_caseload=True, as_practitioner=True)


def test_other_roles_see_nothing_through_these_records():
	assert access_scope({"Accounts User"}).nothing


def test_only_whoever_has_a_caseload_or_sees_everyone_works_caseloads():
	assert access_scope({"Care Manager"}).works_caseloads
	assert access_scope({"Care Management Billing"}).works_caseloads
	assert access_scope({"Physician", "Care Manager"}).works_caseloads
	assert not access_scope({"Physician"}).works_caseloads
	assert not access_scope(set()).works_caseloads
