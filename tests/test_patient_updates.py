from care_management.domain.patient_updates import (
	EMPTY_MESSAGE,
	MESSAGE_MAX_CHARS,
	NO_PROGRESS,
	NOTE_MAX_CHARS,
	TOO_LONG,
	UNKNOWN_PROGRESS,
	check_goal_progress,
	check_message,
	plain_text,
)


def test_markup_is_removed_and_its_text_kept():
	assert plain_text("<b>Caminé</b> 20 <i>minutos</i>") == "Caminé 20 minutos"


def test_script_bodies_are_dropped_entirely():
	assert plain_text("ok<script>alert('x')</script> then") == "ok then"
	assert plain_text("<img src=x onerror=alert(1)>hi") == "hi"


def test_stray_angle_brackets_cannot_become_markup():
	assert "<" not in plain_text("weight < 180 and <<b>") and ">" not in plain_text("a > b")


def test_entities_are_decoded_to_text_not_left_as_markup():
	assert plain_text("salt &amp; pepper") == "salt & pepper"
	assert "<" not in plain_text("&lt;script&gt;")


def test_control_characters_go_and_lines_stay():
	assert plain_text("one\x00\x07 two\r\n\n\n\nthree  ") == "one two\n\nthree"


def test_goal_progress_needs_one_of_the_three_answers():
	assert check_goal_progress("", "note").problem == NO_PROGRESS
	assert check_goal_progress("Great", "note").problem == UNKNOWN_PROGRESS
	checked = check_goal_progress("Struggling", " <p>Me cuesta</p> ")
	assert (checked.problem, checked.progress, checked.text) == (None, "Struggling", "Me cuesta")


def test_a_progress_note_may_be_empty_but_not_too_long():
	assert check_goal_progress("On Track", "").problem is None
	assert check_goal_progress("Done", "x" * NOTE_MAX_CHARS).problem is None
	too_long = check_goal_progress("Done", "x" * (NOTE_MAX_CHARS + 1))
	assert (too_long.problem, too_long.limit) == (TOO_LONG, NOTE_MAX_CHARS)


def test_length_is_measured_after_markup_is_removed():
	assert check_goal_progress("Done", "<b>" * 400 + "ok").problem is None


def test_a_message_must_say_something_within_the_limit():
	assert check_message("  <br> ").problem == EMPTY_MESSAGE
	assert check_message("y" * (MESSAGE_MAX_CHARS + 1)).problem == TOO_LONG
	assert (
		check_message("¿Puedo tomar la pastilla con comida?").text == "¿Puedo tomar la pastilla con comida?"
	)
