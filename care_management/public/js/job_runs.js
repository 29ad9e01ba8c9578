// Tells whoever started a background run (Create Invoices, Claim Export, Start
// Enrollment, risk scores) how it ended, wherever they are in the desk.
frappe.realtime.on("care_job_run_progress", (data) => {
	if (!data.status) return;
	const indicator = { Completed: "green", "Partly failed": "orange", Failed: "red" }[data.status] || "blue";
	const link = `<a href="/app/care-job-run/${encodeURIComponent(data.run)}">${frappe.utils.escape_html(data.run)}</a>`;
	const esc = frappe.utils.escape_html;
	frappe.show_alert({ message: __("{0} {1}: {2}", [esc(__(data.job_type)), esc(__(data.status).toLowerCase()), link]), indicator }, 15);
});
