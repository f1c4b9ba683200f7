"""Builds the one stylesheet every page loads (issue 16, item 5: first paint on a weak connection).

    .venv/bin/python tools/build_css.py           # rewrite static/css/site.css
    .venv/bin/python tools/build_css.py --check   # exit 1 if site.css is out of date (CI, tests)

static/css/site.css is Bootstrap's CSS (static/vendor/bootstrap/bootstrap.min.css, untouched)
reduced to the rules whose class names our pages can carry, followed by static/css/palette.css and
static/css/app.css. One request of ~9 KiB gzipped instead of three (Bootstrap alone is 31 KiB
gzipped): the page paints about 0.15 s sooner on a 1.6 Mbps school connection.

Which class names are used: every word ([A-Za-z0-9_-]+) of templates/**/*.html, static/js/*.js and the
project's Python files (form widgets' classes, view code), plus SAFELIST
(classes Bootstrap's JavaScript adds: show, collapsing, modal-backdrop…) and the colour variants
that templates build from a tone ("text-bg-{{ tone }}"). A selector is kept when every class it
names outside :not()/:is()/:has() is used; rules without classes (elements, :root, [hidden]) are
always kept, @keyframes when a kept rule names them. Bootstrap's dark colour mode
([data-bs-theme=dark]) is dropped while no page asks for it.

Run it after adding a Bootstrap class to a template, or after editing palette.css or app.css;
tests/test_css_build.py fails while site.css is out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import tinycss2

ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP = ROOT / "static" / "vendor" / "bootstrap" / "bootstrap.min.css"
OWN_CSS = [ROOT / "static" / "css" / "palette.css", ROOT / "static" / "css" / "app.css"]
OUTPUT = ROOT / "static" / "css" / "site.css"
PYTHON_DIRS = ["accounts", "submissions", "reviews", "repository", "reports", "interop", "elearning"]

# Classes Bootstrap's JavaScript adds to elements (a template writes the others, e.g. "modal",
# "dropdown-menu-end", and the scan finds them). Tooltips and popovers, whose whole markup
# Bootstrap's JavaScript writes, are not used; add their classes here if they ever are.
SAFELIST = {
    "show",
    "showing",
    "hiding",
    "fade",
    "collapse",
    "collapsing",
    "collapse-horizontal",
    "modal-open",
    "modal-backdrop",
    "modal-static",
    "offcanvas-backdrop",
    "active",
    "disabled",
}
# Templates build colour classes from a tone: text-{{ tone }}, text-bg-{{ case.state|state_tone }},
# border-{{ … }}, alert-{{ message.tags }} (error is shown as danger); ps-{{ indent }} indents a
# table of contents.
TONES = ["primary", "secondary", "success", "danger", "warning", "info", "light", "dark"]
TONE_PREFIXES = ["text", "text-bg", "border", "alert"]
SAFELIST |= {f"{prefix}-{tone}" for prefix in TONE_PREFIXES for tone in TONES}
SAFELIST |= {f"ps-{n}" for n in range(6)}

WORD = re.compile(r"[A-Za-z0-9_-]+")


def used_words() -> set[str]:
    files = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static" / "js").glob("*.js")]
    for name in PYTHON_DIRS:
        files += [p for p in (ROOT / name).rglob("*.py") if "migrations" not in p.parts]
    words = set(SAFELIST)
    for path in files:
        words.update(WORD.findall(path.read_text(encoding="utf-8")))
    return words


def split_selectors(prelude: list) -> list[list]:
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        else:
            current.append(token)
    selectors.append(current)
    return selectors


def required_classes(selector: list) -> list[str]:
    """The class names an element chain must carry for the selector to match (top level only:
    a class inside :not(…) is not needed, one inside :is(…) may be one of several)."""
    names = []
    for before, token in zip(selector, selector[1:], strict=False):
        if before.type == "literal" and before.value == "." and token.type == "ident":
            names.append(token.value)
    return names


def selector_kept(selector: list, words: set[str]) -> bool:
    text = tinycss2.serialize(selector)
    if "data-bs-theme=dark" in text.replace(" ", "") and "data-bs-theme" not in words:
        return False
    return all(name in words for name in required_classes(selector))


def purge(rules: list, words: set[str]) -> str:
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            kept = [s for s in split_selectors(rule.prelude) if selector_kept(s, words)]
            if kept:
                selector = ",".join(tinycss2.serialize(s).strip() for s in kept)
                out.append(selector + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule":
            if rule.lower_at_keyword in ("media", "supports", "container", "layer") and rule.content:
                inner = purge(tinycss2.parse_rule_list(rule.content), words)
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
            elif rule.lower_at_keyword == "keyframes":
                out.append(tinycss2.serialize([rule]))  # kept or not below, once the rules are known
            else:
                out.append(tinycss2.serialize([rule]))
        elif rule.type == "comment" and rule.value.startswith("!"):
            out.append(f"/*{rule.value}*/")
    return "".join(out)


def drop_unused_keyframes(css: str) -> str:
    def keep(match: re.Match) -> str:
        name = match.group(1)
        rest = css.replace(match.group(0), "")
        return match.group(0) if re.search(rf"animation[a-z-]*:[^;}}]*\b{re.escape(name)}\b", rest) else ""

    return re.sub(r"@keyframes ([\w-]+)\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", keep, css)


def build() -> str:
    source = BOOTSTRAP.read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(source, skip_comments=False, skip_whitespace=True)
    charset = '@charset "UTF-8";' if source.startswith("@charset") else ""
    rules = [r for r in rules if not (r.type == "at-rule" and r.lower_at_keyword == "charset")]
    bootstrap = drop_unused_keyframes(purge(rules, used_words()))
    parts = [
        charset,
        "/* Generated by tools/build_css.py: Bootstrap 5.3 reduced to the classes our pages use,\n"
        "   then static/css/palette.css and static/css/app.css. Do not edit; edit those and rebuild. */\n",
        bootstrap,
        "\n",
    ]
    for path in OWN_CSS:
        parts += [
            f"/* {path.relative_to(ROOT / 'static')} */\n",
            path.read_text(encoding="utf-8").strip(),
            "\n",
        ]
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that site.css is up to date")
    args = parser.parse_args()
    css = build()
    if args.check:
        if OUTPUT.read_text(encoding="utf-8") != css:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run tools/build_css.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(css, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(css.encode()) / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
