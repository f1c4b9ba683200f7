"""The one stylesheet of every page (issue 16, item 5): static/css/site.css is Bootstrap reduced to
the classes our pages use plus palette.css and app.css, built by tools/build_css.py."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def _build_css():
    spec = importlib.util.spec_from_file_location("build_css", ROOT / "tools" / "build_css.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_css = _build_css()
SITE_CSS = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
BOOTSTRAP = (ROOT / "static" / "vendor" / "bootstrap" / "bootstrap.min.css").read_text(encoding="utf-8")


def test_site_css_is_rebuilt_after_every_template_or_stylesheet_change():
    assert build_css.build() == SITE_CSS, "static/css/site.css is out of date: run tools/build_css.py"


def test_every_bootstrap_class_a_template_writes_is_styled():
    written = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for value in re.findall(r'class="([^"]*)"', path.read_text(encoding="utf-8")):
            written.update(word for word in re.split(r"\s+", re.sub(r"\{[{%].*?[%}]\}", " ", value)) if word)
    # Classes Bootstrap styles on their own (".card{", ".card,"), not only beside another class.
    styled = set(re.findall(r"[{},]\.([a-z][a-z0-9-]*)[{,]", BOOTSTRAP))
    used = written & styled
    assert {"navbar", "dropdown-menu", "btn-primary", "form-control", "table", "badge", "card"} <= used
    missing = sorted(name for name in used if not re.search(rf"[{{}},]\.{re.escape(name)}[{{,]", SITE_CSS))
    assert missing == []


@pytest.mark.parametrize(
    "selector",
    [
        ".collapse:not(.show)",  # the phone menu closed, then open
        ".collapsing",  # … while it slides
        ".dropdown-menu.show",  # a menu group opened
        ".fade:not(.show)",  # a dismissed message fading
        ".alert-dismissible",
        ".modal-backdrop",
        ".visually-hidden",
        ".text-bg-warning",  # a status badge whose tone a template picks (text-bg-{{ tone }})
        ".border-danger",
        ".alert-success",
    ],
)
def test_classes_that_scripts_or_tones_add_are_kept(selector):
    assert selector in SITE_CSS


def test_what_no_page_uses_is_left_out():
    assert len(SITE_CSS.encode()) < len(BOOTSTRAP.encode()) / 2
    for selector in (
        ".carousel",
        ".accordion",
        ".offcanvas{",
        ".popover",
        "[data-bs-theme=dark]",
        ".was-validated",
    ):
        assert selector not in SITE_CSS


def test_our_colours_come_after_bootstraps():
    palette = (ROOT / "static" / "css" / "palette.css").read_text(encoding="utf-8").strip()
    app = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8").strip()
    assert SITE_CSS.index(".btn-primary{") < SITE_CSS.index(palette) < SITE_CSS.index(app)


@pytest.mark.django_db
def test_a_page_loads_one_stylesheet():
    html = Client().get("/login/").content.decode()
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert links == ["/static/css/site.css"]
