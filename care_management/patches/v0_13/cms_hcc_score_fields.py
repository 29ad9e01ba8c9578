"""The Patient's CMS-HCC score fields (score, HCCs, segment) the risk run writes, and the
"CMS-HCC score 1.5 or more" risk factor (seeded disabled) for sites installed before them.
Idempotent: custom fields are updated in place and a factor is seeded only when absent."""


def execute():
	from care_management.setup.install import set_up_population

	set_up_population()
