"""The shared form rendering (components/form.html, field.html, reviews/_radios.html) names only
ids that exist, marks required fields in words and sums up a failed form (issue 16, item 3)."""

import re

from django import forms
from django.template import Context, Template


class SampleForm(forms.Form):
    title = forms.CharField(label="Tên bài", help_text="Ví dụ: Bài 3. Luỹ thừa")
    note = forms.CharField(label="Ghi chú", required=False, help_text="Không bắt buộc")
    choice = forms.ChoiceField(
        label="Quyết định", choices=[("a", "Có"), ("b", "Không")], widget=forms.RadioSelect
    )


def render(form):
    return Template(
        '{% load ui %}{% include "components/form.html" %}{% include "reviews/_radios.html" with field=form.choice %}'
    ).render(Context({"form": form}))


def test_every_described_by_id_exists_and_errors_are_summed_up():
    """After a failed submit each aria-describedby names present ids; the summary links to each field."""
    form = SampleForm(data={"title": "", "note": "", "choice": ""})
    assert not form.is_valid()
    html = render(form)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    described = [i for value in re.findall(r'aria-describedby="([^"]+)"', html) for i in value.split()]
    assert {"id_title_error", "id_title_helptext", "id_note_helptext", "id_choice_error"} <= set(described)
    assert set(described) <= ids
    summary = re.search(
        r'<div class="alert alert-danger error-summary" role="alert" tabindex="-1".*?</div>', html, re.S
    )
    assert summary
    assert re.findall(r'href="#([^"]+)"', summary.group(0)) == ["id_title", "id_choice_0"]
    assert "Tên bài: " in summary.group(0)
    assert '<span class="required-mark">(bắt buộc)</span>' in html
    assert html.count("(bắt buộc)") == 3  # title and choice: the form, and the group rendered again
    assert '<legend class="form-label fs-6 mb-1">Quyết định' in html


def test_an_unbound_form_has_no_summary():
    assert "error-summary" not in render(SampleForm())
