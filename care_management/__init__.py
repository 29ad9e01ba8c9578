# Kept free of frappe imports: the pure core (care_management.domain) is imported
# by the pytest tier on machines that have no Frappe at all.
__version__ = "0.1.0"
