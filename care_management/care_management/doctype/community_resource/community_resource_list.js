frappe.listview_settings["Community Resource"] = {
	add_fields: ["status", "last_verified_on"],
	get_indicator(doc) {
		const colors = {
			active: "green",
			"temporarily closed": "orange",
			inactive: "gray",
			defunct: "red",
		};
		return [__(frappe.utils.to_title_case(doc.status || "")), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
	onload(listview) {
		const download = (method) => {
			window.open(`/api/method/care_management.api.hsds_export.${method}`);
		};
		listview.page.add_inner_button(__("HSDS JSON"), () => download("export_json"), __("Export"));
		listview.page.add_inner_button(__("HSDS CSV Package"), () => download("export_csv_package"), __("Export"));
		if (frappe.model.can_create("HSDS Import")) {
			listview.page.add_inner_button(__("Import HSDS"), () => frappe.new_doc("HSDS Import"));
		}
	},
};
