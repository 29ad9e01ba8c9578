"""The 835 writer lives in the app (care_management/demo/remittance_file.py): the demo posts
its remittances with it. Kept under this name for the tests that load or import it."""

from care_management.demo.remittance_file import (
	CREATED,
	SERVICE_DATE,
	_amount,
	claim_paid,
	interchange,
	remittance_835,
	transaction_set,
)
