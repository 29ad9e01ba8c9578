"""Serve one site of a bench on 127.0.0.1 only, with its built assets.

`bench serve` binds every interface; the browser test (and anyone trying the
desk on a development machine) should not. Run with the bench's python from
the bench's sites folder:

    cd <bench>/sites && ../env/bin/python <checkout>/scripts/desk_server.py <site> [port]
"""

import os
import sys

from werkzeug.serving import run_simple

# This server runs no RQ worker: background runs (care_management/job_runs.py) are done
# in the request that starts them, after the run is committed. Development desk only.
JOBS_INLINE_ENV = "CARE_MANAGEMENT_JOBS_INLINE"


def main() -> None:
	os.environ.setdefault(JOBS_INLINE_ENV, "1")
	site = sys.argv[1]
	port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
	sites_path = os.getcwd()

	import frappe.app

	frappe.app._site = site
	frappe.app._sites_path = sites_path
	application = frappe.app.application_with_statics()
	run_simple("127.0.0.1", port, application, threaded=True, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
	main()
