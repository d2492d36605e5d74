from django import template

from listing_templates.models import ApplyMode
from listing_templates.selectors import templates_visible_to

register = template.Library()


@register.inclusion_tag("listing_templates/_apply_controls.html", takes_context=True)
def template_apply_controls(context):
    """The grid's "Apply a template" controls: the user's templates and the modes.
    The grid page knows nothing of templates; this tag brings them in."""
    request = context["request"]
    return {"templates": templates_visible_to(request.user), "modes": ApplyMode.choices}
