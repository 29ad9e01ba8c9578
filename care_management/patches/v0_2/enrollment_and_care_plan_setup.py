"""Sites installed before enrollments and care plans existed get their seeds,
workflow and the care manager's Patient access."""

from care_management.setup.install import set_up_enrollment_and_care_plans


def execute():
	set_up_enrollment_and_care_plans()
