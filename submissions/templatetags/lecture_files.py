"""What the upload pages say and what the upload widget reads, from settings and
`submissions.formats`: nothing an operator can change is written into a template or upload.js."""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext

from ..formats import UPLOAD_EXTENSIONS, accepted_text
from ..uploads import MAX_PARTS, MIN_PART_BYTES, human_size

register = template.Library()


@register.simple_tag
def accepted_formats() -> str:
    """The kinds of file a teacher may upload (submissions.formats), in the user's language."""
    return accepted_text(gettext)


@register.simple_tag
def upload_limits() -> str:
    """The data attributes static/js/upload.js reads: the size limit (LECTURE_MAX_FILE_BYTES),
    S3's part rules, the parts sent at once (UPLOAD_PARALLEL_PARTS), the extensions offered."""
    return format_html(
        'data-max-bytes="{}" data-max-size="{}" data-min-part-bytes="{}" data-max-parts="{}" '
        'data-parallel-parts="{}" data-accept="{}"',
        settings.LECTURE_MAX_FILE_BYTES,
        human_size(settings.LECTURE_MAX_FILE_BYTES),
        MIN_PART_BYTES,
        MAX_PARTS,
        settings.UPLOAD_PARALLEL_PARTS,
        ",".join(UPLOAD_EXTENSIONS),
    )
