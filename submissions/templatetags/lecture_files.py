"""What the upload pages say and what the upload widget reads, from settings and
`submissions.formats`: nothing an operator can change is written into a template or upload.js."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..formats import UPLOAD_EXTENSIONS, accepted_text
from ..uploads import MAX_PARTS, MIN_PART_BYTES, human_size

register = template.Library()


@register.simple_tag
def accepted_formats() -> str:
    """The kinds of file a teacher may upload (submissions.formats), in the user's language."""
    return accepted_text(gettext)


# What upload.js says itself, in the page's language (the widget's own strings are Uppy's locale).
UPLOAD_MESSAGES = {
    "max": _("Tối đa %(size)s"),
    "done": _("Đã tải lên xong."),
    "checking": _("Hệ thống đang kiểm tra tệp…"),
    "checked": _("Đã tải lên xong. Kết quả kiểm tra: %(result)s"),
    "failed": _("Tải lên thất bại."),
    "server-error": _("Lỗi máy chủ (%(status)s)."),
    "kept": _("Đã giữ lại %(percent)s%% từ lần tải trước; chỉ tải tiếp phần còn thiếu."),
}


@register.simple_tag
def upload_limits() -> str:
    """The data attributes static/js/upload.js reads: the size limit (LECTURE_MAX_FILE_BYTES),
    S3's part rules, the parts sent at once (UPLOAD_PARALLEL_PARTS), the extensions offered,
    where to ask for an unfinished upload of the same file, and its messages translated."""
    messages = format_html_join(
        " ", 'data-msg-{}="{}"', ((name, str(text)) for name, text in UPLOAD_MESSAGES.items())
    )
    return format_html(
        'data-max-bytes="{}" data-max-size="{}" data-min-part-bytes="{}" data-max-parts="{}" '
        'data-parallel-parts="{}" data-accept="{}" data-resume-url="{}" {}',
        settings.LECTURE_MAX_FILE_BYTES,
        human_size(settings.LECTURE_MAX_FILE_BYTES),
        MIN_PART_BYTES,
        MAX_PARTS,
        settings.UPLOAD_PARALLEL_PARTS,
        ",".join(UPLOAD_EXTENSIONS),
        reverse("submissions:upload_resume"),
        messages,
    )
