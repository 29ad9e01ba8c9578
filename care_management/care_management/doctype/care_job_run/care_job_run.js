// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

// A run is written by its background job; the form follows it (the job's
// publish_progress reaches this form's room) and offers Run Again once it ended.
frappe.ui.form.on("Care Job Run", {
	refresh(frm) {
		frm.disable_save();
		const open = ["Queued", "Running"].includes(frm.doc.status);
		if (open) {
			const percent = frm.doc.total ? (frm.doc.done * 100) / frm.doc.total : 0;
			frm.dashboard.show_progress(
				__("{0}: {1} of {2} done", [frappe.utils.escape_html(__(frm.doc.job_type)), cint(frm.doc.done), cint(frm.doc.total)]),
				percent,
			);
			const status = frappe.utils.escape_html(__(frm.doc.status).toLowerCase());
			frm.set_intro(__("This run is {0} in the background; this page follows it.", [status]));
		} else if (frm.doc.reason) {
			frm.set_intro(frm.doc.reason, "red"); // stored escaped (job_runs.as_text)
		}
		if (["Failed", "Partly failed"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Run Again"), () =>
				frappe
					.call("care_management.job_runs.run_again", { name: frm.doc.name })
					.then(() => frm.reload_doc()),
			);
		}
		if (frm.__care_job_listener) return;
		frm.__care_job_listener = (data) => {
			if (data.run === frm.doc.name && (data.status || data.done === data.total)) {
				frm.reload_doc();
			}
		};
		frappe.realtime.on("care_job_run_progress", frm.__care_job_listener);
	},
});
