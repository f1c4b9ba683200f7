"""A test-only page that includes static/js/pdf-viewer.js (tests/browser/test_pdf_viewer.py), and the
PDF it shows; used with `@pytest.mark.urls`, never part of the app. The page carries the app's CSP."""

from django.http import HttpResponse
from django.template import Context, Template
from django.urls import path
from weasyprint import HTML

PAGES = 5

_PAGE = Template(
    """{% load static %}<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>pdf.js</title></head>
<body><main style="width: 720px">
<div id="viewer" data-pdf-viewer data-src="{{ src }}"
     data-worker-src="{% static 'vendor/pdfjs/pdf.worker.min.mjs' %}"
     data-pdfjs-src="{% static 'vendor/pdfjs/pdf.min.mjs' %}"
     data-page-label="Trang {page} / {count}" data-count-text="%(count)s trang"
     data-loading-text="Đang tải…" data-error-text="Không hiển thị được tệp PDF này."
     ><p class="placeholder">Đang mở tệp…</p></div>
</main><script type="module" src="{% static 'js/pdf-viewer.js' %}"></script></body></html>"""
)


def viewer(request):
    src = "/missing.pdf" if request.GET.get("broken") else "/document.pdf"
    return HttpResponse(_PAGE.render(Context({"src": src})))


def document(request):
    """A PDF of PAGES pages with Vietnamese text, made by WeasyPrint (as the minutes are)."""
    body = "".join(
        f'<section style="page-break-after: always"><h1>Trang {n}: Bài giảng Toán lớp 6 — đường thẳng</h1></section>'
        for n in range(1, PAGES + 1)
    )
    pdf = HTML(string=f'<html lang="vi"><body>{body}</body></html>').write_pdf()
    return HttpResponse(pdf, content_type="application/pdf")


urlpatterns = [
    path("viewer/", viewer),
    path("document.pdf", document),
]
