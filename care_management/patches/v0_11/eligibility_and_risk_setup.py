"""Chronic condition categories, program eligibility criteria, risk factors,
score bands, the Patient's risk score fields and the Needs Screening index
they read for sites installed before the eligibility finder and risk
stratification existed. Idempotent."""


def execute():
	from care_management.care_management.doctype.needs_screening.needs_screening import add_indexes
	from care_management.setup.install import set_up_population

	set_up_population()
	add_indexes()
