app_name = "care_management"
app_title = "Care Management"
app_publisher = "care_management contributors"
app_description = (
	"Care management for Frappe Health: enrollment and consent, care plans, outreach time, "
	"worklists, social needs, referrals and Medicare care-management billing"
)
app_email = "care-management@example.org"
app_license = "mit"

# The "org/repo" form is parsed locally; a bare name would make Frappe ask
# GitHub which organization holds the app, and installs must work offline.
required_apps = ["frappe/erpnext", "frappe/healthcare"]

before_install = "care_management.setup.install.before_install"
after_install = "care_management.setup.install.after_install"
before_uninstall = "care_management.setup.install.before_uninstall"

# Roles are shipped as fixtures so an admin sees them as ordinary Role records;
# before_uninstall removes them again.
fixtures = [
	{
		"dt": "Role",
		"filters": [
			["name", "in", ["Care Manager", "Care Management Supervisor", "Care Management Billing"]]
		],
	},
]
