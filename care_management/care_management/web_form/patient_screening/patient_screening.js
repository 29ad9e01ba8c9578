// The questions come from the Screening Instrument the care team chose, so they
// are drawn here from the link's token rather than fixed in the web form.
// (Frappe renders this file through Jinja: no double braces in it.)
frappe.ready(() => {
	const form = frappe.web_form;
	const token = frappe.utils.get_query_params().self_completion_token || "";
	const $area = form.fields_dict.questions_html.$wrapper;
	let questions = [];

	const refuse = (message) => {
		$area.html(`<div class="alert alert-warning">${frappe.utils.escape_html(message)}</div>`);
		$(".web-form-footer, .web-form-actions, button[type=submit]").hide();
	};

	const render = (form_data) => {
		questions = form_data.questions;
		const intro = form_data.patient_first_name
			? `<p>${__("Hello {0}.", [frappe.utils.escape_html(form_data.patient_first_name)])}</p>`
			: "";
		const blocks = questions.map((q, index) => {
			const kind = q.multiple ? "checkbox" : "radio";
			const choices = q.options
				.map(
					(option, option_index) => `
					<div class="form-check">
						<input class="form-check-input" type="${kind}" name="q-${index}"
							id="q-${index}-${option_index}" value="${frappe.utils.escape_html(option)}">
						<label class="form-check-label" for="q-${index}-${option_index}">
							${frappe.utils.escape_html((q.labels || q.options)[option_index])}</label>
					</div>`
				)
				.join("");
			const hint = q.multiple ? `<div class="text-muted small">${__("Choose all that apply.")}</div>` : "";
			return `<fieldset class="mb-4" data-key="${frappe.utils.escape_html(q.key)}">
				<legend class="h6">${index + 1}. ${frappe.utils.escape_html(q.text)}</legend>${hint}${choices}
			</fieldset>`;
		});
		$area.html(
			`<div class="patient-screening-questions">${intro}<p class="text-muted">${frappe.utils.escape_html(
				form_data.instrument
			)}</p>${blocks.join("") /* html-safe: each block escapes its text */}</div>`
		);
	};

	// Patients may leave a question they would rather not answer: the first
	// send marks the unanswered ones, a second send goes as it is and the care
	// team completes the draft with them.
	let warned_about = "";
	form.validate = () => {
		const answers = {};
		const unanswered = [];
		$area.find(".unanswered-note").remove();
		questions.forEach((q, index) => {
			const chosen = $area.find(`input[name="q-${index}"]:checked`).map((_i, el) => el.value).get();
			if (chosen.length) answers[q.key] = chosen;
			else unanswered.push(index);
		});
		if (unanswered.length && warned_about !== unanswered.join()) {
			warned_about = unanswered.join();
			unanswered.forEach((index) =>
				$area
					.find("fieldset")
					.eq(index)
					.append(
						`<div class="unanswered-note text-danger small">${__(
							"Not answered. Answer it, or press the button again to send without it."
						)}</div>`
					)
			);
			return false;
		}
		// Straight onto the document the form posts: a hidden control's value is
		// set asynchronously, and the post is built right after this returns.
		form.doc.self_completion_token = token;
		form.doc.self_completion_answers = JSON.stringify(answers);
		return true;
	};

	if (!token) {
		refuse(__("This page opens from the link your care team sent you."));
		return;
	}
	frappe.call({
		method: "care_management.api.self_screening.get_self_completion_form",
		args: { token },
		callback: (r) => render(r.message),
		error: () => refuse(__("This link is no longer valid. Please ask your care team to send a new one.")),
	});
});
