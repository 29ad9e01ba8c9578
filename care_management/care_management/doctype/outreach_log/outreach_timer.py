"""The form's call timer. Its state lives on the draft Outreach Log, so it
survives a page reload, and a care manager can run only one timer at a time."""

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from care_management.domain.outreach import TimerState
from care_management.message_html import desk_link

RUNNING = ("Running", "Paused")


def running_timer_of(user: str, except_log: str | None = None) -> dict | None:
	return frappe.db.get_value(
		"Outreach Log",
		{
			"performed_by": user,
			"timer_status": ("in", RUNNING),
			"docstatus": 0,
			"name": ("!=", except_log or ""),
		},
		[
			"name",
			"patient",
			"patient_name",
			"timer_status",
			"timer_started_at",
			"timer_paused_at",
			"timer_paused_seconds",
		],
		as_dict=True,
	)


def _state(log) -> TimerState:
	return TimerState(
		get_datetime(log.timer_started_at),
		get_datetime(log.timer_paused_at) if log.timer_paused_at else None,
		log.timer_paused_seconds or 0,
	)


def _store(log, state: TimerState, status: str) -> None:
	log.timer_started_at = state.started_at
	log.timer_paused_at = state.paused_at
	log.timer_paused_seconds = state.paused_seconds
	log.timer_status = status


def _own_draft(name: str):
	log = frappe.get_doc("Outreach Log", name)
	log.check_permission("write")
	if log.docstatus != 0:
		frappe.throw(_("The timer only runs on a draft log."))
	if log.performed_by != frappe.session.user:
		frappe.throw(
			_("Only {0}, who performs this work, can run its timer.").format(
				frappe.utils.escape_html(log.performed_by)
			)
		)
	return log


@frappe.whitelist()
def start_timer(name: str | None = None, patient: str | None = None) -> dict:
	"""Start the timer on a draft log, or on a new log for ``patient``."""
	other = running_timer_of(frappe.session.user, except_log=name)
	if other:
		frappe.throw(
			_("Your timer is already running on {0} for {1}. Stop it before starting another.").format(
				desk_link("Outreach Log", other.name),
				frappe.bold(frappe.utils.escape_html(other.patient_name or other.patient)),
			),
			title=_("Timer Already Running"),
		)
	now = now_datetime()
	if name:
		log = _own_draft(name)
		if log.timer_status in RUNNING:
			return timer_info(log)
	else:
		if not patient:
			frappe.throw(_("Choose the Patient before starting the timer."))
		log = frappe.new_doc("Outreach Log")
		log.patient = patient
		log.performed_by = frappe.session.user
		log.activity_type = log.activity_type or default_activity_type()
	log.start = now
	log.end = None
	log.duration_minutes = 0
	log.paused_minutes = 0
	_store(log, TimerState(now), "Running")
	log.save()
	return timer_info(log)


@frappe.whitelist()
def pause_timer(name: str) -> dict:
	log = _own_draft(name)
	if log.timer_status != "Running":
		frappe.throw(_("The timer is not running."))
	_store(log, _state(log).pause(now_datetime()), "Paused")
	log.save()
	return timer_info(log)


@frappe.whitelist()
def resume_timer(name: str) -> dict:
	log = _own_draft(name)
	if log.timer_status != "Paused":
		frappe.throw(_("The timer is not paused."))
	_store(log, _state(log).resume(now_datetime()), "Running")
	log.save()
	return timer_info(log)


@frappe.whitelist()
def stop_timer(name: str) -> dict:
	log = _own_draft(name)
	if log.timer_status not in RUNNING:
		frappe.throw(_("The timer is not running."))
	logged = _state(log).stop(now_datetime())
	log.start, log.end = logged.start, logged.end
	log.duration_minutes, log.paused_minutes = logged.duration_minutes, logged.paused_minutes
	log.timer_status = "Stopped"
	log.timer_paused_at = None
	log.save()
	return timer_info(log)


@frappe.whitelist()
def get_running_timer() -> dict | None:
	log = running_timer_of(frappe.session.user)
	return timer_info(log) if log else None


def timer_info(log) -> dict:
	state = _state(log) if log.timer_started_at else None
	return {
		"name": log.name,
		"patient": log.patient,
		"patient_name": log.patient_name,
		"status": log.timer_status,
		"elapsed_seconds": state.elapsed_seconds(now_datetime())
		if state and log.timer_status in RUNNING
		else None,
	}


def default_activity_type() -> str | None:
	return frappe.db.get_value("Outreach Activity Type", {"activity_type": "Phone Call", "disabled": 0}) or (
		frappe.db.get_value("Outreach Activity Type", {"disabled": 0})
	)
