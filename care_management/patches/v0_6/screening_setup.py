"""Sites installed before screening existed get the seeded instruments."""

from care_management.setup.install import set_up_screening


def execute():
	set_up_screening()
