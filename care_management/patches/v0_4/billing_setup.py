"""Sites installed before billing existed get the CY2026 billing codes."""

from care_management.setup.install import set_up_billing


def execute():
	set_up_billing()
