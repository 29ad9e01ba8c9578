frappe.ui.form.on("HSDS Import", {
	refresh(frm) {
		if (!frm.is_new() && ["Queued", "Running"].includes(frm.doc.status)) {
			frm.dashboard.set_headline(
				__("Importing in the background. Reload to see the summary once the status is Completed.")
			);
		}
		if (frm.doc.status === "Completed") {
			frm.add_custom_button(__("Community Resources"), () =>
				frappe.set_route("List", "Community Resource")
			);
		}
	},
});
