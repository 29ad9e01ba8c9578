"""Sites installed before referrals existed get the referral workflow."""

from care_management.setup.install import set_up_referrals


def execute():
	set_up_referrals()
