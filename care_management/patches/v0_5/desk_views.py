"""Sites installed before the care plan Kanban board existed get it."""

from care_management.setup.install import set_up_views


def execute():
	set_up_views()
