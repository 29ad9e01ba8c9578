# Copyright (c) 2026, care_management contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html, format_datetime, formatdate, get_datetime, getdate, now_datetime

from care_management.billing.facts import IN_FORCE, enrollment_windows_of
from care_management.billing.outreach_lock import refuse_if_invoiced
from care_management.billing.performer_lock import hold_performer_lock
from care_management.domain.access import access_scope
from care_management.domain.billing.minutes import (
	AFTER_END,
	BEFORE_CONSENT,
	BEFORE_START,
	NO_CONSENT,
	NotCounted,
	TimedLog,
	why_not_counted,
)
from care_management.domain.outreach import (
	COUNTED_OUTCOMES,
	MAX_SPAN,
	LoggedTime,
	TimeProblem,
	propose_follow_up,
	time_problems,
)
from care_management.domain.risk_tiers import RiskTier
from care_management.message_html import desk_link
from care_management.permissions import in_caseload

TIMER_RUNNING = ("Running", "Paused")


def time_problem_message(problem: TimeProblem, log) -> str:
	return {
		TimeProblem.END_BEFORE_START: _("End ({0}) is before Start ({1}). Correct the End time.").format(
			format_datetime(log.end), format_datetime(log.start)
		),
		TimeProblem.START_IN_FUTURE: _("Start ({0}) is in the future. Log work once it has happened.").format(
			format_datetime(log.start)
		),
		TimeProblem.NOT_POSITIVE: _("Duration (Minutes) must be at least 1 minute."),
		TimeProblem.SPANS_TOO_LONG: _(
			"Start ({0}) to End ({1}) is more than 24 hours. One log covers one stretch of work: correct the times or split it."
		).format(format_datetime(log.start), format_datetime(log.end)),
		TimeProblem.TOO_LONG: _(
			"Duration (Minutes) is {0}; one log can be at most 240 minutes. Split longer work into several logs."
		).format(log.duration_minutes),
		TimeProblem.DURATION_MISMATCH: _(
			"Duration (Minutes) is {0} but Start to End is {1} minutes (less {2} paused). Correct the Duration or the times."
		).format(
			log.duration_minutes,
			round((get_datetime(log.end) - get_datetime(log.start)).total_seconds() / 60),
			log.paused_minutes or 0,
		),
	}[problem]


class OutreachLog(Document):
	def validate(self):
		# Links filled in from the patient's own records need no ownership check.
		self.flags.patients_own = set()
		self.set_defaults()
		self.validate_links_belong_to_patient()
		self.validate_caseload()
		self.validate_time()
		self.validate_request_id()
		self.validate_no_overlap()
		self.note_minutes_not_counted()
		self.set_escalation()

	def before_cancel(self):
		refuse_if_invoiced(self)

	def before_submit(self):
		if self.amended_from:
			refuse_if_invoiced(self)
		if self.timer_status in TIMER_RUNNING:
			frappe.throw(_("Stop the timer before submitting the log."), title=_("Timer Running"))
		if not self.end or not self.duration_minutes:
			frappe.throw(_("Enter End and Duration (Minutes) before submitting the log."))

	def set_defaults(self):
		needs_context = not self.enrollment or not self.care_plan
		needs_context |= not self.next_follow_up and self.start and self.timer_status not in TIMER_RUNNING
		if not (needs_context and self.patient):
			return
		context = patient_context(self.patient)
		if not self.enrollment and context.active_enrollments == 1:
			# The minutes count for the patient's one active program.
			self.enrollment, _sep, program = context.enrollment.partition("\n")
			self.program = program or None
			self.flags.patients_own.add("enrollment")
		if not self.care_plan and context.care_plan:
			self.care_plan = context.care_plan
			self.flags.patients_own.add("care_plan")
		if not self.next_follow_up and self.start and self.timer_status not in TIMER_RUNNING:
			self.next_follow_up = proposed_follow_up(
				self.patient, self.start, self.outcome, context.risk_tier or ""
			)

	def validate_links_belong_to_patient(self):
		for fieldname, doctype in (("enrollment", "Care Program Enrollment"), ("care_plan", "Care Plan")):
			value = self.get(fieldname)
			if fieldname in self.flags.patients_own:
				continue
			if value and frappe.db.get_value(doctype, value, "patient") != self.patient:
				frappe.throw(
					_("{0}: {1} belongs to another patient. Choose one of {2}'s records.").format(
						_(self.meta.get_label(fieldname)),
						frappe.bold(frappe.utils.escape_html(value)),
						frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient)),
					),
					title=_("Wrong Patient"),
				)

	def validate_caseload(self):
		if self.flags.in_caseload_of == self.performed_by:
			return  # the permission check of this very save found the patient in their caseload
		scope = access_scope(frappe.get_roles(self.performed_by))
		if scope.all_patients or (scope.own_caseload and in_caseload(self.patient, self.performed_by)):
			return
		if scope.as_practitioner and supervises(self.performed_by, self.patient):
			return
		frappe.throw(
			_(
				"{0} is not in the caseload of {1}. Ask a supervisor to assign the patient before logging time."
			).format(
				frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient)),
				frappe.bold(frappe.utils.escape_html(self.performed_by)),
			),
			title=_("Not in Caseload"),
		)

	def validate_time(self):
		if not self.start:
			return
		if self.timer_status in TIMER_RUNNING:
			if get_datetime(self.start) > now_datetime():
				frappe.throw(time_problem_message(TimeProblem.START_IN_FUTURE, self))
			return
		if not self.end or not self.duration_minutes:
			return  # a draft may be finished later; before_submit insists
		problems = time_problems(
			LoggedTime(
				get_datetime(self.start),
				get_datetime(self.end),
				self.duration_minutes,
				self.paused_minutes or 0,
			),
			now_datetime(),
		)
		if problems:
			frappe.throw(
				"<br>".join(time_problem_message(p, self) for p in problems), title=_("Invalid Time")
			)

	def validate_request_id(self):
		"""A log sent again with the request id of one already saved is that log, not a second one."""
		if not (self.request_id and self.is_new() and self.performed_by):
			return
		hold_performer_lock(self.performed_by)
		first = first_log_of_request(self.request_id)
		if first:
			frappe.throw(
				_("This outreach log was already saved as {0}; it was not saved a second time.").format(
					desk_link("Outreach Log", first)
				),
				exc=frappe.DuplicateEntryError,
				title=_("Already Saved"),
			)

	def validate_no_overlap(self):
		if not (self.start and self.end and self.performed_by) or self.timer_status in TIMER_RUNNING:
			return
		# Serialised per performer until this save commits (billing/performer_lock.py):
		# two saves at once cannot both find no clash.
		hold_performer_lock(self.performed_by)
		# No log spans more than MAX_SPAN, so none starting earlier can reach this
		# one: the performer/start index reads a day of their logs, not their history.
		# A locking read: it sees what committed after this transaction's snapshot.
		clash = frappe.db.sql(
			"""select name, start, end from `tabOutreach Log`
			where performed_by = %(performer)s and name not in (%(name)s, %(amended_from)s) and docstatus < 2
				and end is not null and start > %(earliest)s and start < %(end)s and end > %(start)s
			limit 1 lock in share mode""",
			{
				"performer": self.performed_by,
				"name": self.name or "",
				"amended_from": self.amended_from or "",
				"earliest": get_datetime(self.start) - MAX_SPAN,
				"start": self.start,
				"end": self.end,
			},
			as_dict=True,
		)
		if clash:
			other = clash[0]
			frappe.throw(
				_(
					"{0} already logged {1} from {2} to {3}, which overlaps this log. Adjust Start and End."
				).format(
					frappe.bold(frappe.utils.escape_html(self.performed_by)),
					desk_link("Outreach Log", other.name),
					format_datetime(other.start),
					format_datetime(other.end),
				),
				title=_("Overlapping Logs"),
			)

	def note_minutes_not_counted(self):
		"""Minutes before consent or outside the enrollment are logged, not billed. The log
		is kept (the consent call itself must be loggable); the care manager is told."""
		# The program is fetched from the enrollment after validate; read it here.
		program = self.program or (
			self.enrollment and frappe.db.get_value("Care Program Enrollment", self.enrollment, "program")
		)
		if not (self.patient and program and self.start and self.duration_minutes):
			return
		if self.outcome not in COUNTED_OUTCOMES:
			return  # an attempt that reached no one counts in no case
		why = minutes_not_counted(self, program)
		if not why:
			return
		frappe.msgprint(
			not_counted_message(why, self.duration_minutes, program),
			title=_("Minutes Will Not Count"),
			indicator="orange",
		)

	def set_escalation(self):
		if not self.red_flag:
			self.escalated_to = None
			return
		self.escalated_to = supervising_practitioner_user(self)
		if not self.escalated_to:
			frappe.throw(
				_(
					"Red Flag: no practitioner with a user account supervises {0}. Set the Supervising Practitioner on the care plan (and its user) so the red flag reaches someone."
				).format(frappe.bold(frappe.utils.escape_html(self.patient_name or self.patient))),
				title=_("No One to Escalate To"),
			)

	def on_submit(self):
		self.update_care_plan_goals()
		if self.red_flag:
			self.raise_red_flag()

	def on_cancel(self):
		if self.red_flag:
			for todo in frappe.get_all(
				"ToDo",
				filters={"reference_type": self.doctype, "reference_name": self.name, "status": "Open"},
				pluck="name",
			):
				frappe.db.set_value("ToDo", todo, "status", "Cancelled")

	def raise_red_flag(self):
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": self.escalated_to,
				"reference_type": self.doctype,
				"reference_name": self.name,
				"priority": "High",
				"date": getdate(),
				"description": _("Red flag for {0}: {1}").format(
					self.patient_name or self.patient, self.red_flag_reason
				),
				"assigned_by": frappe.session.user,
			}
		).insert(ignore_permissions=True)
		self.db_set("red_flag_status", "Open")

	def update_care_plan_goals(self):
		updates = [
			row for row in self.goal_updates if row.care_plan_goal and (row.new_status or row.progress_note)
		]
		if not updates or not self.care_plan:
			return
		goal_rows = set(frappe.get_all("Care Plan Goal", filters={"parent": self.care_plan}, pluck="name"))
		plan = frappe.get_doc("Care Plan", self.care_plan)
		for update in updates:
			if update.care_plan_goal not in goal_rows:
				frappe.throw(
					_("Goal Progress, row {0}: the goal is not on care plan {1}.").format(
						update.idx, frappe.utils.escape_html(self.care_plan)
					)
				)
			goal = next(g for g in plan.goals if g.name == update.care_plan_goal)
			if update.new_status:
				goal.status = update.new_status
		plan.add_comment(
			"Info",
			_("Goal progress recorded in {0}: {1}").format(
				desk_link("Outreach Log", self.name),
				"; ".join(
					frappe.utils.escape_html(
						f"{u.goal} → {_(u.new_status) if u.new_status else ''} {u.progress_note or ''}".strip()
					)
					for u in updates
				),
			),
		)
		plan.flags.ignore_permissions = True
		plan.save()


def minutes_not_counted(log, program: str) -> NotCounted | None:
	"""Why this log's minutes will not count toward ``program``, as the month close judges it."""
	family = frappe.db.get_value("Care Program", program, "billing_family") or program
	windows = [
		window
		# A pending enrollment too: its minutes are the ones waiting for consent.
		for window in enrollment_windows_of(log.patient, statuses=(*IN_FORCE, "Pending Consent")).get(
			log.patient, []
		)
		if window.program == family
	]
	timed = TimedLog(
		log.name or "", family, log.performer_type or "", get_datetime(log.start), int(log.duration_minutes)
	)
	return why_not_counted(timed, windows)


def not_counted_message(why: NotCounted, minutes: int, program: str) -> str:
	day = formatdate(why.day) if why.day else ""
	return {
		BEFORE_CONSENT: _(
			"These {0} minutes are before the patient's consent to {1} on {2}: the log is kept, but its minutes will not count toward the month's billing."
		),
		NO_CONSENT: _(
			"The {1} enrollment has no consent recorded yet: this log is kept, but its {0} minutes will not count toward billing until the time logged is on or after the consent date."
		),
		BEFORE_START: _(
			"These {0} minutes are before the {1} enrollment starts on {2}: the log is kept, but its minutes will not count toward billing."
		),
		AFTER_END: _(
			"These {0} minutes are after the {1} enrollment ended on {2}: the log is kept, but its minutes will not count toward billing."
		),
	}[why.kind].format(minutes, escape_html(program), day)


def first_log_of_request(request_id: str) -> str | None:
	# A locking read, under the performer's lock: it sees a log committed a moment ago.
	rows = frappe.db.sql(
		"select name from `tabOutreach Log` where request_id = %s lock in share mode", request_id
	)
	return rows[0][0] if rows else None


def supervising_practitioner_user(log) -> str | None:
	practitioner = None
	if log.care_plan:
		practitioner = frappe.db.get_value("Care Plan", log.care_plan, "supervising_practitioner")
	if not practitioner and log.enrollment:
		practitioner = frappe.db.get_value("Care Program Enrollment", log.enrollment, "billing_practitioner")
	return frappe.db.get_value("Healthcare Practitioner", practitioner, "user_id") if practitioner else None


def supervises(user: str, patient: str) -> bool:
	practitioners = frappe.get_all("Healthcare Practitioner", filters={"user_id": user}, pluck="name")
	if not practitioners:
		return False
	return bool(
		frappe.db.exists("Care Plan", {"patient": patient, "supervising_practitioner": ("in", practitioners)})
		or frappe.db.exists(
			"Care Program Enrollment", {"patient": patient, "billing_practitioner": ("in", practitioners)}
		)
	)


# What a new log takes from the patient's records, in one round trip.
PATIENT_CONTEXT_SQL = """
select p.care_risk_tier as risk_tier,
	(select cp.name from `tabCare Plan` cp where cp.patient = p.name and cp.status != 'Closed'
		order by cp.modified desc limit 1) as care_plan,
	(select count(*) from `tabCare Program Enrollment` e where e.patient = p.name and e.status = 'Active')
		as active_enrollments,
	(select concat_ws('\n', e.name, e.program) from `tabCare Program Enrollment` e
		where e.patient = p.name and e.status = 'Active' order by e.name limit 1) as enrollment
from `tabPatient` p where p.name = %s
"""


def patient_context(patient: str) -> frappe._dict:
	rows = frappe.db.sql(PATIENT_CONTEXT_SQL, patient, as_dict=True)
	return rows[0] if rows else frappe._dict()


def patient_tier(patient: str, tier_name: str | None = None) -> RiskTier | None:
	"""The patient's risk tier (``tier_name`` when the caller already read it;
	"" means the patient has none)."""
	from care_management.care_management.doctype.care_management_settings.care_management_settings import (
		get_risk_tiers,
	)

	tiers = get_risk_tiers()
	if tier_name is None:
		tier_name = frappe.db.get_value("Patient", patient, "care_risk_tier")
	name = tier_name or frappe.db.get_single_value("Care Management Settings", "default_risk_tier")
	return next((t for t in tiers if t.name == name), tiers[-1] if tiers else None)


def proposed_follow_up(patient: str, start, outcome: str, tier_name: str | None = None):
	"""The next follow-up date from the patient's risk tier and the outcome."""
	tier = patient_tier(patient, tier_name)
	if not tier or not start:
		return None
	return propose_follow_up(getdate(start), tier, outcome)


@frappe.whitelist()
def get_proposed_follow_up(patient: str, start, outcome: str):
	"""For the form: propose the follow-up as soon as start and outcome are known."""
	if not frappe.has_permission("Patient", "read", doc=patient):
		frappe.throw(
			_("Not permitted to read patient {0}").format(frappe.utils.escape_html(patient)),
			frappe.PermissionError,
		)
	return proposed_follow_up(patient, start, outcome)


LOG_BY_PATIENT = ("patient", "docstatus", "start", "next_follow_up", "outcome")


def on_doctype_update():
	"""Indexes for the worklist and month close (run by every migrate)."""
	# The month close reads a patient's submitted logs by start; the worklist reads
	# the newest log's follow-up and the newest reached log's start from the index
	# alone, newest first (patches/v0_13/worklist_covering_index.py).
	frappe.db.add_index("Outreach Log", list(LOG_BY_PATIENT))
	frappe.db.add_index("Outreach Log", ["performed_by", "start"])
