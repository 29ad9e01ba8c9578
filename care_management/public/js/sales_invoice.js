// "Get Care Management Items": a patient's billable care-management records of a month.
frappe.ui.form.on("Sales Invoice", {
	refresh(frm) {
		if (frm.doc.docstatus !== 0) return;
		frm.add_custom_button(
			__("Care Management"),
			() => {
				if (!frm.doc.patient) {
					frappe.msgprint(__("Set the Patient on the invoice first."));
					return;
				}
				frappe.prompt(
					{ fieldname: "month", fieldtype: "Date", label: __("Any Day of the Month"), reqd: 1,
					  default: frappe.datetime.add_months(frappe.datetime.get_today(), -1) },
					({ month }) => {
						frappe
							.call("care_management.billing.invoicing.get_care_management_items", {
								patient: frm.doc.patient,
								month,
							})
							.then((r) => {
								const items = r.message || [];
								if (!items.length) {
									frappe.msgprint(__("No billable care-management records for this patient in that month."));
									return;
								}
								if (frm.doc.items.length === 1 && !frm.doc.items[0].item_code) frm.clear_table("items");
								items.forEach((item) => Object.assign(frm.add_child("items"), item));
								frm.refresh_field("items");
								frm.trigger("calculate_taxes_and_totals");
							});
					},
					__("Get Care Management Items")
				);
			},
			__("Get Items From")
		);
	},
});
