// Copyright (c) 2026, care_management contributors
// For license information, please see license.txt

frappe.query_reports["Care Management Billing"] = {
	filters: [
		{
			fieldname: "month",
			label: __("Month"),
			fieldtype: "Date",
			reqd: 1,
			// The month a clerk closes: last month (month_start() takes no date; it is this month).
			default: frappe.datetime.add_months(frappe.datetime.month_start(), -1),
		},
		{ fieldname: "program", label: __("Program"), fieldtype: "Data" },
		{ fieldname: "billing_practitioner", label: __("Practitioner"), fieldtype: "Link", options: "Healthcare Practitioner" },
		{ fieldname: "care_manager", label: __("Care Manager"), fieldtype: "Link", options: "User" },
		{ fieldname: "status", label: __("Status"), fieldtype: "Select", options: "\nNot Billable\nReady\nInvoiced" },
		{ fieldname: "per_line", label: __("Per Line"), fieldtype: "Check" },
	],
	onload(report) {
		// Only the buttons whose action this user will not be refused (allowed_actions).
		frappe
			.xcall("care_management.care_management.report.care_management_billing.care_management_billing.allowed_actions")
			.then((allowed) => add_billing_buttons(report, allowed || {}));
	},
};

function add_billing_buttons(report, allowed) {
	if (allowed.close_month) {
		report.page.add_inner_button(__("Close Month"), () => {
			const month = report.get_filter_value("month");
			frappe
				.call("care_management.billing.month_close.close_month", {
					month,
					practitioner: report.get_filter_value("billing_practitioner") || null,
				})
				.then((r) => frappe.set_route("Form", "Care Month Close", r.message));
		});
	}
	if (allowed.create_invoices) {
		report.page.add_inner_button(__("Create Invoices"), () => {
			// A background run (job_runs.py): the button returns at once with a link to it.
			frappe
				.call("care_management.billing.invoicing.start_create_invoices", { month: report.get_filter_value("month") })
				.then((r) => frappe.msgprint({ title: __("Create Invoices"), message: r.message.message, indicator: "blue" }));
		});
	}
	if (allowed.eligibility_inquiry) {
		report.page.add_inner_button(__("Eligibility Inquiry (270)"), () => {
			frappe
				.call("care_management.billing.eligibility.make_270", { month: report.get_filter_value("month") })
				.then((r) => {
					if (r.message) window.open(r.message);
				});
		});
	}
	if (allowed.export_claim_lines) {
		report.page.add_inner_button(__("Export Claim Lines"), () => {
			const filters = JSON.stringify(report.get_values());
			window.open(
				`/api/method/care_management.care_management.report.care_management_billing.care_management_billing.export_claim_lines?filters=${encodeURIComponent(filters)}`
			);
		});
	}
}
