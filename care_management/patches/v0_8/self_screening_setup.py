"""Sites installed before patients could self-screen get the link's email template."""

from care_management.setup.install import set_up_self_screening


def execute():
	set_up_self_screening()
