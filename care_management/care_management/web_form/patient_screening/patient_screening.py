def get_context(context):
	# A patient reaches this form from a link; the site's navigation is not for them.
	context.show_sidebar = False
	context.no_cache = 1
