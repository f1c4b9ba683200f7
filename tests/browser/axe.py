"""axe-core (vendored for the tests only, tests/browser/vendor/axe-core) run inside a page."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor/axe-core/axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: the yardstick of issue 16.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

RUN_JS = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    iframes: false,
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)})),
  }));
}"""


def axe_violations(page, where):
    """The WCAG A/AA violations axe finds on the page as it is now, one line per rule and node."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    lines = []
    for violation in page.evaluate(RUN_JS, TAGS):
        for node in violation["nodes"][:6]:
            lines.append(
                f"{where}: [{violation['id']}] {node['target']} {node['html']!r} — {node['summary']}"
            )
        if len(violation["nodes"]) > 6:
            lines.append(f"{where}: [{violation['id']}] … and {len(violation['nodes']) - 6} more nodes")
    return lines
