"""Everything the engine needs for a set of patients and one month, in a
fixed number of set-based queries whatever the number of patients."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

import frappe
from frappe.utils import add_months, get_first_day, get_last_day, getdate

from care_management.domain.billing.engine import EnrollmentFacts, PeriodFacts, TransitionFacts
from care_management.domain.billing.minutes import CountedTime, EnrollmentWindow, TimedLog, count_month
from care_management.domain.business_days import business_days_between
from care_management.domain.care_plan_history import ConditionSpan, PlanHistory, StatusSpan, judge_month
from care_management.domain.outreach import COUNTED_OUTCOMES

IN_FORCE = ("Active", "Paused", "Ended")
DEVICE_WINDOW_DAYS = 30


def patients_to_close(month: date, practitioner: str | None = None) -> list[str]:
	"""Every patient with an enrollment in force during the month."""
	start, end = get_first_day(month), get_last_day(month)
	conditions = ""
	if practitioner:
		conditions = "and billing_practitioner = %(practitioner)s"
	# A transition of care bills TCM in the month of its face-to-face visit,
	# with or without an enrollment (TCM needs no consent).
	transitions = (
		""
		if practitioner
		else """
		union select patient from `tabCare Transition`
		where status != 'Cancelled' and face_to_face_date between %(start)s and %(end)s"""
	)
	# distinct: a patient in two programs is one patient to close (the union below dedupes too,
	# but a practitioner's close has no union).
	return frappe.db.sql_list(
		f"""
		select distinct patient from `tabCare Program Enrollment`
		where status in %(in_force)s and start_date <= %(end)s and (end_date is null or end_date >= %(start)s)
		{conditions}
		{transitions}
		order by patient
		""",
		{"in_force": IN_FORCE, "start": start, "end": end, "practitioner": practitioner},
	)


# Separators of the concatenated child rows (ASCII unit and record separators,
# which no name or code contains); group_concat's separator must be a literal.
FIELD, ROW = "char(31)", "'\x1e'"


def rows(concatenated: str | None) -> list[list[str]]:
	return [row.split("\x1f") for row in concatenated.split("\x1e")] if concatenated else []


def moment(text: str) -> datetime | None:
	return datetime.fromisoformat(text) if text else None


class MonthFacts:
	"""Facts for the patients of one chunk; ``for_patient`` builds the engine's input."""

	def __init__(
		self, patients: list[str], month: date, practitioner: str | None = None, holidays: set | None = None
	):
		self.patients = patients
		self.month = getdate(month)
		self.start = get_first_day(self.month)
		self.end = get_last_day(self.month)
		self.practitioner = practitioner
		self.holidays = holidays or set()
		params = {
			"patients": patients or [""],
			"start": self.start,
			"end": self.end,
			"next": add_months(self.start, 1),
		}
		self.enrollments = self._enrollments(params)
		self.counted = self._counted_minutes(params)
		self.plans = self._plans(params)
		self.patient_info = self._patients(params)
		self.device = self._device_windows(params)
		self.transitions = self._transitions(params)

	def _enrollments(self, params) -> dict[str, list[dict]]:
		# CHI's initiating visit is the one linked (or dated) on the enrollment, not
		# any Patient Encounter of the last 12 months: an encounter does not say that
		# the practitioner identified social needs at it, and CMS wants that visit by
		# the practitioner who bills CHI (validate_initiating_visit). It counts once
		# it took place, by the end of the month, and while it is not cancelled.
		rows = frappe.db.sql(
			"""
			select e.patient, coalesce(nullif(cp.billing_family, ''), e.program) as family, e.billing_practitioner,
				e.care_manager, e.start_date, e.end_date, e.consent_method, e.consent_date,
				coalesce(cp.requires_consent, 1) as requires_consent,
				if(e.initiating_visit_date <= %(end)s and coalesce(visit.docstatus, 0) != 2, 1, 0) as initiating_visit
			from `tabCare Program Enrollment` e
			left join `tabCare Program` cp on cp.name = e.program
			left join `tabPatient Encounter` visit on visit.name = e.initiating_visit
			where e.patient in %(patients)s and e.status in %(in_force)s
				and e.start_date <= %(end)s and (e.end_date is null or e.end_date >= %(start)s)
			order by e.start_date
			""",
			{**params, "in_force": IN_FORCE},
			as_dict=True,
		)
		by_patient = defaultdict(list)
		self.enrollments_of_patient = defaultdict(list)
		for row in rows:
			self.enrollments_of_patient[row.patient].append(row)
			if self.practitioner and row.billing_practitioner != self.practitioner:
				continue
			by_patient[row.patient].append(row)
		return by_patient

	def _counted_minutes(self, params) -> dict[str, CountedTime]:
		logs = month_logs(params["patients"], self.start, params["next"])
		return {
			patient: count_month(patient_logs, self.windows(patient))
			for patient, patient_logs in logs.items()
		}

	def windows(self, patient: str) -> list[EnrollmentWindow]:
		return [enrollment_window(row) for row in self.enrollments_of_patient.get(patient, [])]

	def _plans(self, params) -> dict[str, dict]:
		"""The care plan each patient had in force during the month and the
		conditions it held then, judged on the plans' dated history
		(domain/care_plan_history.py) rather than on their status today, so that
		closing or revising a plan leaves the months it served billable.

		One query for the chunk, one row per plan: its current conditions, past
		conditions and past statuses come concatenated (unit and record
		separators), which costs the driver a fraction of a row per child."""
		plans = frappe.db.sql(
			f"""
			select p.name, p.patient, p.status, p.start_date,
				(select group_concat(concat_ws({FIELD}, ifnull(c.icd10_code, ''), ifnull(c.condition_name, ''),
						ifnull(c.added_on, ''), '') order by c.idx separator {ROW})
					from `tabCare Plan Condition` c
					where c.parent = p.name and c.parenttype = 'Care Plan' and c.parentfield = 'conditions'
						and c.expected_12_months = 1) as conditions,
				(select group_concat(concat_ws({FIELD}, ifnull(c.icd10_code, ''), ifnull(c.condition_name, ''),
						ifnull(c.valid_from, ''), ifnull(c.valid_to, '')) order by c.idx separator {ROW})
					from `tabCare Plan Past Condition` c
					where c.parent = p.name and c.parenttype = 'Care Plan' and c.parentfield = 'past_conditions'
						and c.expected_12_months = 1) as past_conditions,
				(select group_concat(concat_ws({FIELD}, s.status, ifnull(s.valid_from, ''), ifnull(s.valid_to, ''))
						separator {ROW})
					from `tabCare Plan Past Status` s
					where s.parent = p.name and s.parenttype = 'Care Plan' and s.parentfield = 'past_statuses')
					as past_statuses
			from `tabCare Plan` p
			where p.patient in %(patients)s and p.start_date <= %(end)s
			""",
			params,
			as_dict=True,
		)
		past_statuses = {
			plan.name: [
				StatusSpan(status, moment(since), moment(until))
				for status, since, until in rows(plan.past_statuses)
			]
			for plan in plans
		}
		conditions = {
			plan.name: [
				ConditionSpan(code or None, name or None, moment(since), moment(until))
				for code, name, since, until in [*rows(plan.conditions), *rows(plan.past_conditions)]
			]
			for plan in plans
		}
		histories = defaultdict(list)
		for plan in plans:
			histories[plan.patient].append(
				PlanHistory(
					plan=plan.name,
					start_date=getdate(plan.start_date),
					status=plan.status,
					past_statuses=tuple(past_statuses.get(plan.name, ())),
					conditions=tuple(conditions.get(plan.name, ())),
				)
			)
		start = datetime.combine(self.start, time.min)
		next_start = datetime.combine(getdate(params["next"]), time.min)
		judged = {}
		for patient, patient_plans in histories.items():
			month = judge_month(patient_plans, start, next_start)
			if month.plan:
				judged[patient] = {
					"plan": month.plan,
					"active": month.active,
					"conditions": len(month.conditions),
					"icd10_codes": ", ".join(month.icd10_codes),
				}
		return judged

	def _patients(self, params) -> dict[str, dict]:
		rows = frappe.db.sql(
			"""select name, patient_name, customer, qualified_medicare_beneficiary as qmb, care_manager
			from `tabPatient` where name in %(patients)s""",
			params,
			as_dict=True,
		)
		return {row.name: row for row in rows}

	def _device_windows(self, params) -> dict[str, dict]:
		"""Days with data in each 30-day window of a patient's device episode
		(counted from the first reading); a window is billed in the month it ends."""
		rows = frappe.db.sql(
			f"""
			select r.patient, episode.first_day,
				floor(datediff(date(r.measured_at), episode.first_day) / {DEVICE_WINDOW_DAYS}) as window_no,
				count(distinct date(r.measured_at)) as days
			from `tabDevice Reading` r
			join (
				select patient, min(date(measured_at)) as first_day from `tabDevice Reading`
				where patient in %(patients)s and transmitted_automatically = 1 group by patient
			) episode on episode.patient = r.patient
			where r.patient in %(patients)s and r.transmitted_automatically = 1
			group by r.patient, episode.first_day, window_no
			""",
			params,
			as_dict=True,
		)
		windows = {}
		for row in rows:
			window_end = row.first_day + timedelta(days=DEVICE_WINDOW_DAYS * (int(row.window_no) + 1) - 1)
			if self.start <= window_end <= self.end:
				windows[row.patient] = {"days": int(row.days), "first_window": int(row.window_no) == 0}
		return windows

	def _transitions(self, params) -> dict[str, TransitionFacts]:
		rows = frappe.db.sql(
			"""
			select t.patient, t.discharge_date, t.first_contact_date, t.face_to_face_date, t.medication_reconciled,
				t.complexity, encounter.practitioner
			from `tabCare Transition` t
			left join `tabPatient Encounter` encounter on encounter.name = t.face_to_face_encounter
			where t.patient in %(patients)s and t.status != 'Cancelled'
				and t.face_to_face_date between %(start)s and %(end)s
			order by t.discharge_date desc
			""",
			params,
			as_dict=True,
		)
		transitions = {}
		self.transition_practitioners = {}
		for row in rows:
			if row.patient in transitions:
				continue
			self.transition_practitioners[row.patient] = row.practitioner
			transitions[row.patient] = TransitionFacts(
				discharge_date=row.discharge_date,
				business_days_to_contact=business_days_between(
					row.discharge_date, row.first_contact_date, self.holidays
				)
				if row.first_contact_date
				else None,
				days_to_face_to_face=(row.face_to_face_date - row.discharge_date).days,
				face_to_face_date=row.face_to_face_date,
				medication_reconciled=bool(row.medication_reconciled),
				complexity=row.complexity or "Moderate",
			)
		return transitions

	def for_patient(self, patient: str) -> PeriodFacts:
		enrollments = []
		seen = set()
		for row in self.enrollments.get(patient, []):
			if row.family in seen:
				continue
			seen.add(row.family)
			consented = bool(row.consent_method and row.consent_date and row.consent_date <= self.end)
			enrollments.append(
				EnrollmentFacts(
					program=row.family,
					practitioner=row.billing_practitioner,
					consented=consented or not row.requires_consent,
					first_month_of_care=self.start <= row.start_date <= self.end,
					initiating_visit=bool(row.initiating_visit),
				)
			)
		transition = self.transitions.get(patient)
		if transition and "TCM" not in seen:
			# TCM is billed by the practitioner who sees the patient after discharge.
			practitioner = self.transition_practitioners.get(patient) or transition_practitioner(enrollments)
			enrollments.append(EnrollmentFacts("TCM", practitioner, consented=True))
		plan = self.plans.get(patient) or {}
		device = self.device.get(patient) or {}
		counted = self.counted.get(patient) or CountedTime()
		return PeriodFacts(
			month=self.start,
			enrollments=enrollments,
			minutes=counted.minutes,
			intervals=counted.intervals,
			minute_notes=counted.notes,
			interactive_programs=counted.interactive_programs,
			care_plan_active=bool(plan.get("active")),
			chronic_conditions=int(plan.get("conditions") or 0),
			device_days=device.get("days", 0),
			device_setup_due=bool(device.get("first_window")),
			qmb=bool((self.patient_info.get(patient) or {}).get("qmb")),
			transition=transition,
		)


def month_logs(patients: list[str], start: date, next_start: date) -> dict[str, list[TimedLog]]:
	"""Each patient's submitted logs of the month whose outcome counts, one row per log:
	the consent window and simultaneous staff are judged log by log (domain/billing/minutes.py)."""
	rows = frappe.db.sql(
		"""
		select l.patient, l.name, coalesce(nullif(cp.billing_family, ''), l.program, '') as family,
			l.performer_type, l.start, l.duration_minutes, l.interactive
		from `tabOutreach Log` l
		left join `tabCare Program` cp on cp.name = l.program
		where l.docstatus = 1 and l.patient in %(patients)s and l.start >= %(start)s and l.start < %(next)s
			and l.outcome in %(counted)s
		""",
		{"patients": patients or [""], "start": start, "next": next_start, "counted": COUNTED_OUTCOMES},
	)
	by_patient = defaultdict(list)
	for patient, name, family, performer_type, start_at, minutes, interactive in rows:
		by_patient[patient].append(
			TimedLog(name, family, performer_type or "", start_at, int(minutes or 0), bool(interactive))
		)
	return by_patient


def enrollment_window(row) -> EnrollmentWindow:
	"""When an enrollment (a row with family, dates, consent and requires_consent) lets minutes count."""
	return EnrollmentWindow(
		program=row.family,
		start_date=getdate(row.start_date),
		end_date=getdate(row.end_date) if row.end_date else None,
		consent_date=getdate(row.consent_date) if row.consent_method and row.consent_date else None,
		requires_consent=bool(row.requires_consent),
	)


def enrollment_windows_of(
	patients: str | list[str], month: date | None = None, statuses: tuple[str, ...] = IN_FORCE
) -> dict[str, list[EnrollmentWindow]]:
	"""The windows of the patients' enrollments of these statuses (during ``month``, when given)."""
	conditions = ""
	if month:
		conditions = "and e.start_date <= %(end)s and (e.end_date is null or e.end_date >= %(start)s)"
	rows = frappe.db.sql(
		f"""
		select e.patient, coalesce(nullif(cp.billing_family, ''), e.program) as family, e.start_date,
			e.end_date, e.consent_method, e.consent_date, coalesce(cp.requires_consent, 1) as requires_consent
		from `tabCare Program Enrollment` e
		left join `tabCare Program` cp on cp.name = e.program
		where e.patient in %(patients)s and e.status in %(in_force)s {conditions}
		order by e.start_date
		""",
		{
			"patients": [patients] if isinstance(patients, str) else (patients or [""]),
			"in_force": statuses,
			"start": get_first_day(month) if month else None,
			"end": get_last_day(month) if month else None,
		},
		as_dict=True,
	)
	windows = defaultdict(list)
	for row in rows:
		windows[row.patient].append(enrollment_window(row))
	return windows


def counted_minutes(patients: list[str], month: date) -> dict[str, CountedTime]:
	"""The month's counted minutes of these patients, as the close counts them: for
	the worklist, so the care manager sees what will be billed."""
	windows = enrollment_windows_of(patients, month)
	start = get_first_day(month)
	logs = month_logs(patients, start, add_months(start, 1))
	return {patient: count_month(patient_logs, windows[patient]) for patient, patient_logs in logs.items()}


def transition_practitioner(enrollments: list[EnrollmentFacts]) -> str | None:
	if enrollments:
		return enrollments[0].practitioner
	return frappe.db.get_single_value("Care Management Settings", "default_billing_practitioner")
