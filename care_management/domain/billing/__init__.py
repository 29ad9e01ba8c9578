"""The care-management billing engine: rules as data, explainable results."""
