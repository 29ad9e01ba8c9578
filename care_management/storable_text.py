"""Text from outside (a feed, a file) as a column can keep it."""

DATA_LENGTH = 140  # a Data field's varchar(140)
REASON_LENGTH = 500  # what a problem row's reason keeps of a long message


def storable(text: str | None, length: int) -> str:
	"""Within ``length``, without NUL or characters UTF-8 cannot encode (an outside id
	may hold either, and the record must still save)."""
	return (text or "").replace("\x00", "").encode("utf-8", "replace").decode("utf-8")[:length]
