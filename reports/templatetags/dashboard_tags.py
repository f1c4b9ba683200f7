"""How a dashboard figure reads in a table cell: a dash for "no figure", dates as dd/mm/yyyy,
decimals with the locale's separator."""

import datetime

from django import template
from django.utils.formats import date_format, number_format

register = template.Library()


@register.filter
def figure(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)
    return value


@register.filter
def is_figure(value) -> bool:
    """Whether a cell holds a number (right-aligned) rather than text or a date."""
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


@register.simple_tag
def cycle_label(columns, index):
    """The column name of cell `index`: what a stacked row (on a phone) labels it with."""
    return columns[index] if 0 <= index < len(columns) else ""
