"""Sites installed before outreach logs existed get the activity types,
education topics and the overdue digest email template."""

from care_management.setup.install import set_up_outreach


def execute():
	set_up_outreach()
