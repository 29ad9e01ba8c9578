"""The patient portal: My Care Plan for patients and the caregivers they consented to."""
