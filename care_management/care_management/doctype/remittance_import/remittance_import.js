// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.ui.form.on("Remittance Import", {
	refresh(frm) {
		const read = show_read_state(frm);
		if (frm.doc.docstatus === 0 && read && frm.doc.problem_count) {
			frm.dashboard.set_headline(
				__("{0} problems in the file: see Problems below.", [cint(frm.doc.problem_count)]),
				"orange"
			);
		}
		if (frm.doc.docstatus === 0 && !frm.is_new() && !frappe.model.can_submit("Payment Entry")) {
			// Submitting posts Payment Entries, which the server refuses this user: no Submit button.
			frm.page.clear_primary_action();
			frm.dashboard.add_comment(
				__("Submitting posts Payment Entries: a user with ERPNext's Accounts User role submits this 835."),
				"blue",
				true
			);
		} else if (!read && !frm.is_dirty()) {
			// Not read yet, or unreadable: the server refuses Submit (remittance.refuse_unread); no button.
			frm.page.clear_primary_action();
		} else if (frm.doc.docstatus === 0 && !frm.is_new() && !frm.is_dirty() && frappe.model.can_submit("Remittance Import")) {
			// Posting is a background run (job_runs.py): the button returns at once with a link to it.
			frm.page.set_primary_action(__("Submit"), () =>
				frappe.confirm(__("Post the payments of this 835?"), () =>
					frappe
						.call("care_management.billing.remittance.start_submit", { name: frm.doc.name })
						.then((r) => {
							frappe.msgprint({ title: __("Remittance Import"), message: r.message.message, indicator: "blue" });
							frm.reload_doc();
						})
				)
			);
		}
		(frm.doc.payments || [])
			.filter((row) => row.payment_entry)
			.forEach((row) => {
				frm.add_custom_button(
					frappe.utils.escape_html(row.trace_number),
					() => frappe.set_route("Form", "Payment Entry", row.payment_entry),
					__("Payment Entry")
				);
			});
	},
	file(frm) {
		if (frm.doc.file) {
			frm.save();
		}
	},
});

// The file is read by a background run (Remittance Read) when a save brings a new
// one: the form says so with a link to the run and reloads when the run ends (its
// save also reaches this form as doc_update). Returns whether the file is read.
function show_read_state(frm) {
	if (frm.doc.docstatus !== 0 || frm.is_new()) return true;
	const esc = frappe.utils.escape_html;
	const run = frm.doc.read_run
		? `<a href="/app/care-job-run/${encodeURIComponent(frm.doc.read_run)}">${esc(frm.doc.read_run)}</a>`
		: "";
	if (frm.doc.read_state === "Reading") {
		frm.dashboard.set_headline(
			__("The 835 File is being read in the background ({0}). This form reloads when it is read.", [run]),
			"blue"
		);
		if (!frm.__read_listener) {
			frm.__read_listener = (data) => {
				if (data.run && data.run === frm.doc.read_run && data.status && !frm.is_dirty()) {
					frm.reload_doc();
				}
			};
			frappe.realtime.on("care_job_run_progress", frm.__read_listener);
		}
		return false;
	}
	if (frm.doc.read_state === "Failed") {
		frm.dashboard.set_headline(
			__("The 835 File could not be read: {0} Attach a corrected file and save. {1}", [
				esc(frm.doc.read_problem || ""),
				run,
			]),
			"red"
		);
		return false;
	}
	return true;
}
