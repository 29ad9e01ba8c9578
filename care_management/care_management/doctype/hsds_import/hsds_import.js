frappe.ui.form.on("HSDS Import", {
	refresh(frm) {
		if (!frm.is_new() && ["Queued", "Running"].includes(frm.doc.status)) {
			frm.dashboard.set_headline(
				__("Importing in the background. Reload to see the summary once the status is Completed or Failed.")
			);
		}
		if (frm.doc.status === "Completed") {
			frm.add_custom_button(__("Community Resources"), () =>
				frappe.set_route("List", "Community Resource")
			);
		}
		// Also offered while Queued or Running: a job whose worker died leaves that status behind, and the
		// server refuses a second run while the first is still alive.
		if (!frm.is_new() && frm.has_perm("write")) {
			frm.add_custom_button(__("Run Again"), () =>
				frm.call("run_again").then(() => frm.reload_doc())
			);
		}
	},
});
