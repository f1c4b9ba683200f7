"""The installable web app (issue 14, item 4): its manifest, its service worker at the root of
the site (static/js/sw.js, so that its scope is the whole app), and the page shown when there
is no connection and the page asked for was not kept (static/js/pwa.js keeps lectures)."""

from __future__ import annotations

import json

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

# The brand blue of static/css/palette.css (--brand) and the page background.
THEME_COLOUR = "#0b5394"
BACKGROUND_COLOUR = "#f5f7fa"
# What every kept page needs to be drawn with no connection.
SHELL_STATIC = [
    "css/site.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/a11y.js",
    "js/pwa.js",
    "js/preview.js",
    "favicon.svg",
    "pwa/icon-192.png",
]


@require_GET
@cache_control(max_age=86400, public=True)
def manifest(request):
    data = {
        "name": "Thư viện bài giảng",
        "short_name": "Thư viện",
        "description": "Kho học liệu số – bài giảng điện tử ngành Giáo dục và Đào tạo",
        "lang": "vi",
        "dir": "ltr",
        "id": "/library/",
        "start_url": reverse("repository:library"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("pwa/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [{"name": "Bài giảng đã lưu", "url": reverse("repository:offline_saved")}],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@never_cache
def service_worker(request):
    """static/js/sw.js with its settings first; never cached by the browser's HTTP cache, so an
    update reaches phones at their next visit."""
    config = {
        "offlinePage": reverse("offline"),
        "shell": [static(path) for path in SHELL_STATIC],
        # The path every preview content URL starts with (repository.pwa.content_prefix).
        "contentPrefix": reverse("repository:content", args=["t", "x"]).rsplit("/t/", 1)[0] + "/",
    }
    with open(finders.find("js/sw.js"), encoding="utf-8") as handle:
        body = f"self.HOCLIEU = {json.dumps(config)};\n" + handle.read()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline_page(request):
    """The page the service worker shows for a page that was not kept. The same for everyone
    (it is cached once for the app): no name, no menu, no token."""
    return render(request, "offline.html")
