"""Small presentation helpers shared by every app's templates."""

from django import forms, template
from django.template.loader import render_to_string

from accounts import selectors

register = template.Library()

CHECK_WIDGETS = (forms.CheckboxInput,)
SELECT_WIDGETS = (forms.Select, forms.SelectMultiple)


@register.simple_tag
def bs_field(field, **attrs):
    """Renders a bound field as a Bootstrap form group: label, widget, error, help text."""
    widget = field.field.widget
    if isinstance(widget, CHECK_WIDGETS):
        css = "form-check-input"
    elif isinstance(widget, SELECT_WIDGETS) and not isinstance(widget, forms.CheckboxSelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    rendered = field.as_widget(attrs={"class": css, **attrs})
    return render_to_string(
        "components/field.html",
        {"field": field, "widget_html": rendered, "is_check": isinstance(widget, CHECK_WIDGETS)},
    )


@register.filter
def filesize(value):
    """1536 → '1,5 KB' in the Vietnamese way of writing numbers."""
    try:
        size = float(value)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            text = f"{size:.0f}" if unit == "B" else f"{size:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        size /= 1024
    return ""


@register.simple_tag
def grade_choices_for(user):
    """The grades a grade filter offers this person (`accounts.selectors.grade_choices_for`)."""
    return selectors.grade_choices_for(user)


@register.inclusion_tag("components/help_link.html")
def help_link(anchor):
    """The small "?" beside a page's title that opens the guide section explaining the page."""
    from elearning.support import screenshot_alt

    return {"anchor": anchor, "label": screenshot_alt(anchor)}


@register.inclusion_tag("components/error_summary.html")
def error_summary(*forms_):
    """The GOV.UK-style summary at the top of a failed form: every error, each a link to its field.

    A radio or checkbox group links to its first option (the fieldset itself takes no focus)."""
    items = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        items += [{"text": error, "anchor": ""} for error in form.non_field_errors()]
        for field in form.visible_fields():
            if not field.errors:
                continue
            anchor = field.auto_id
            if field.field.widget.use_fieldset and anchor:
                anchor = f"{anchor}_0"
            for error in field.errors:
                items.append({"text": f"{field.label}: {error}", "anchor": anchor})
    return {"items": items}
