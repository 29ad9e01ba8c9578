// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

const TIMER_API = "care_management.care_management.doctype.outreach_log.outreach_timer";
const LOG_API = "care_management.care_management.doctype.outreach_log.outreach_log";

frappe.ui.form.on("Outreach Log", {
	setup(frm) {
		frm.set_query("enrollment", () => ({
			filters: { patient: frm.doc.patient, status: ["in", ["Active", "Paused", "Ended"]] },
		}));
		frm.set_query("care_plan", () => ({ filters: { patient: frm.doc.patient } }));
		frm.set_query("vital_signs", () => ({ filters: { patient: frm.doc.patient, docstatus: 1 } }));
		frm.set_query("activity_type", () => ({ filters: { disabled: 0 } }));
	},

	onload(frm) {
		// A form sent twice (a double click, a retry after a dropped connection)
		// saves one log: the server answers the second with the first.
		if (frm.is_new() && !frm.doc.request_id) {
			frm.doc.request_id = frappe.utils.get_random(20);
		}
	},

	refresh(frm) {
		render_timer(frm);
		if (frm.doc.docstatus === 0 && frm.doc.patient && frm.doc.care_plan && !frm.doc.goal_updates?.length) {
			frm.add_custom_button(__("Add Care Plan Goals"), () => add_goals(frm));
		}
		if (frm.doc.patient && !frm.doc.follow_up_appointment && !frm.is_new()) {
			if (frappe.model.can_create("Patient Appointment")) {
				frm.add_custom_button(__("Book Follow-Up Appointment"), () => book_appointment(frm));
			}
		}
	},

	patient(frm) {
		propose_follow_up(frm);
	},
	start(frm) {
		propose_follow_up(frm);
	},
	outcome(frm) {
		propose_follow_up(frm);
	},
	end(frm) {
		fill_duration(frm);
	},
});

function fill_duration(frm) {
	if (!frm.doc.start || !frm.doc.end || frm.doc.timer_status) return;
	const minutes = Math.round(moment(frm.doc.end).diff(moment(frm.doc.start), "seconds") / 60);
	if (minutes > 0) frm.set_value("duration_minutes", minutes - (frm.doc.paused_minutes || 0));
}

function propose_follow_up(frm) {
	if (!frm.doc.patient || !frm.doc.start || !frm.doc.outcome) return;
	frappe.call({
		method: `${LOG_API}.get_proposed_follow_up`,
		args: { patient: frm.doc.patient, start: frm.doc.start, outcome: frm.doc.outcome },
		callback: (r) => r.message && frm.set_value("next_follow_up", r.message),
	});
}

function render_timer(frm) {
	const wrapper = frm.get_field("timer_html").$wrapper;
	clearInterval(frm.__timer_tick);
	if (frm.doc.docstatus !== 0) {
		wrapper.empty();
		return;
	}
	const status = frm.doc.timer_status;
	const running = status === "Running";
	const paused = status === "Paused";
	wrapper.html(`
		<div class="outreach-timer" style="display:flex;gap:8px;align-items:center;margin-bottom:12px">
			<span class="timer-display" style="font-size:1.6em;font-variant-numeric:tabular-nums;min-width:5.5em">00:00:00</span>
			<span class="indicator-pill ${running ? "green" : paused ? "orange" : "gray"}">${frappe.utils.escape_html(__(status || "Not Started"))}</span>
			${!running && !paused ? `<button class="btn btn-sm btn-primary" data-action="start">${__("Start Timer")}</button>` : ""}
			${running ? `<button class="btn btn-sm btn-default" data-action="pause">${__("Pause")}</button>` : ""}
			${paused ? `<button class="btn btn-sm btn-default" data-action="resume">${__("Resume")}</button>` : ""}
			${running || paused ? `<button class="btn btn-sm btn-danger" data-action="stop">${__("Stop")}</button>` : ""}
		</div>`);
	const display = wrapper.find(".timer-display");
	const show = (seconds) => {
		const pad = (n) => String(Math.floor(n)).padStart(2, "0");
		display.text(`${pad(seconds / 3600)}:${pad((seconds % 3600) / 60)}:${pad(seconds % 60)}`);
	};
	if (running || paused) {
		// The server holds the state; the page only counts from what it says.
		frappe.call(`${TIMER_API}.get_running_timer`).then((r) => {
			const info = r.message;
			if (!info || info.name !== frm.doc.name) return;
			const base = info.elapsed_seconds || 0;
			const since = Date.now();
			show(base);
			if (running) {
				frm.__timer_tick = setInterval(() => show(base + (Date.now() - since) / 1000), 1000);
			}
		});
	} else if (frm.doc.duration_minutes) {
		show(frm.doc.duration_minutes * 60);
	}
	wrapper.find("button").on("click", (e) => timer_action(frm, $(e.currentTarget).data("action")));
}

async function timer_action(frm, action) {
	if (action === "start" && frm.is_new()) {
		if (!frm.doc.patient) {
			frappe.msgprint(__("Choose the Patient before starting the timer."));
			return;
		}
		const r = await frappe.call(`${TIMER_API}.start_timer`, { patient: frm.doc.patient });
		frappe.set_route("Form", "Outreach Log", r.message.name);
		return;
	}
	if (frm.is_dirty()) await frm.save();
	await frappe.call(`${TIMER_API}.${action}_timer`, { name: frm.doc.name });
	await frm.reload_doc();
}

function add_goals(frm) {
	frappe.db.get_doc("Care Plan", frm.doc.care_plan).then((plan) => {
		(plan.goals || [])
			.filter((g) => !["Achieved", "Cancelled"].includes(g.status))
			.forEach((g) => frm.add_child("goal_updates", { care_plan_goal: g.name, goal: g.goal }));
		frm.refresh_field("goal_updates");
	});
}

function book_appointment(frm) {
	frappe.db.get_value("Care Plan", frm.doc.care_plan, "supervising_practitioner").then((r) => {
		frappe.new_doc("Patient Appointment", {
			patient: frm.doc.patient,
			practitioner: r.message?.supervising_practitioner,
			appointment_date: frm.doc.next_follow_up,
			notes: __("Follow-up from {0}", [frm.doc.name]),
		});
	});
}
