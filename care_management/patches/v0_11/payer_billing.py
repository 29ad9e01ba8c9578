"""Sites installed before payer billing get its custom fields (Customer as payer,
NPI and taxonomy on practitioner and company, the share an invoice bills) and the
seeded plan types. Idempotent: fields are updated in place, plan types an admin
already has are left as they are."""

from care_management.setup.payer_billing import set_up_payer_billing


def execute():
	set_up_payer_billing()
