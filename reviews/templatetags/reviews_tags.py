"""`{% load reviews_tags %}`: state colours and the author's side of a lecture's review."""

from django import template
from django.utils.translation import gettext_lazy

from reviews import selectors
from reviews.actions import history_label
from reviews.models import CaseState

register = template.Library()

TONES = {
    "draft": "secondary",
    "in_review": "primary",
    "returned": "warning",
    "resubmitted": "secondary",
    "approved": "success",
    "rejected": "danger",
    "withdrawn": "secondary",
}


@register.filter
def state_tone(state: str) -> str:
    return TONES.get(state, "secondary")


@register.filter
def transition_label(name: str) -> str:
    """How a log row's transition reads in the history (the action table's label)."""
    return history_label(name)


# A record's history reads in its own words where a lecture's would mislead ("Nộp bài").
RECORD_HISTORY_LABELS = {
    "submit": gettext_lazy("Nộp hồ sơ"),
    "resubmit": gettext_lazy("Nộp lại hồ sơ"),
}


@register.filter
def record_transition_label(name: str) -> str:
    """How a log row of a record's case reads in the record's history."""
    label = RECORD_HISTORY_LABELS.get(name)
    return str(label) if label is not None else history_label(name)


@register.filter
def state_label(state: str) -> str:
    return CaseState(state).label if state in CaseState.values else state


@register.filter
def state_change(row) -> str:
    """The states a log row moved the case between: "(A → B)"; only "(B)" for the row that opened
    the case (a submission or a nomination), whose draft state nobody ever saw."""
    if row.source == row.target:
        return ""
    if row.source == CaseState.DRAFT:
        return f"({state_label(row.target)})"
    return f"({state_label(row.source)} → {state_label(row.target)})"


@register.filter
def points(value) -> str:
    """Decimal points without trailing zeros, Vietnamese decimal comma: 25.50 → 25,5."""
    if value in (None, ""):
        return ""
    text = format(value, "f") if not isinstance(value, str) else value
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


@register.inclusion_tag("reviews/lecture_reviews.html", takes_context=True)
def lecture_reviews(context, lecture):
    """For the submissions pages: the lecture's review cases and minutes the viewer may read.

    Usage: `{% load reviews_tags %}{% lecture_reviews lecture %}`.
    """
    user = context["request"].user
    return {
        "cases": selectors.cases_for_lecture(lecture, user).select_related("minutes"),
        "request": context["request"],
    }


@register.simple_tag
def approval_trail(publication):
    """`{% approval_trail publication as trail %}`: the review cases of a published version, for
    the library's page (the repository app knows nothing of review cases)."""
    return selectors.approval_trail(version_id=publication.version_id)
