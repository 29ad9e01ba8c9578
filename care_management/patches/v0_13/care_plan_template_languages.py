"""Spanish texts and symptom action plan defaults for the seeded Care Plan
Templates on a site installed before templates carried them.

Idempotent: a template that already has Spanish texts, or its own action plan
defaults, is left as the admin has it; a text an admin rewrote in English gets
no translation of the words it replaced.
"""

from care_management.setup.seed import seed_template_action_plans, seed_template_translations


def execute():
	seed_template_action_plans()
	seed_template_translations()
