"""Chronic condition categories, program eligibility criteria, risk factors,
score bands and the Patient's risk score fields for sites installed before the
eligibility finder and risk stratification existed. Idempotent."""


def execute():
	from care_management.setup.install import set_up_population

	set_up_population()
