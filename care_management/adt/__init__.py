"""The hospital ADT feed: an MLLP listener (listener.py) storing and acting on HL7 v2 ADT messages."""
