"""Desk views that are records rather than files: the care plan Kanban board."""

import frappe

CARE_PLAN_BOARD = "Care Plans by Status"


def create_care_plan_board() -> None:
	if frappe.db.exists("Kanban Board", CARE_PLAN_BOARD):
		return
	from frappe.desk.doctype.kanban_board.kanban_board import quick_kanban_board

	quick_kanban_board("Care Plan", CARE_PLAN_BOARD, "status")


def delete_care_plan_board() -> None:
	frappe.db.delete("Kanban Board Column", {"parent": CARE_PLAN_BOARD})
	frappe.db.delete("Kanban Board", {"name": CARE_PLAN_BOARD})
