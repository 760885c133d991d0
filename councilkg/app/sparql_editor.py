"""The SPARQL editor component: a text area with a highlighted copy beneath it, and Ctrl+Enter to run.

Its HTML, CSS and JavaScript are the project's own (``static/``) and load nothing from elsewhere.
"""

from __future__ import annotations

from councilkg.app import components

_HTML = ('<div class="ckg-editor"><pre aria-hidden="true"><code></code></pre>'
         '<textarea spellcheck="false" aria-label="SPARQL query" data-testid="ckg-sparql-editor"></textarea></div>')


def sparql_editor(key: str, value: str) -> tuple[str, bool]:
    """A syntax-highlighted SPARQL editor; returns (its text, whether Ctrl+Enter asked to run)."""
    editor = components.own("sparql_editor", _HTML)
    result = editor(data={"value": value}, default={"value": value}, key=key,
                    on_value_change=lambda: None, on_run_change=lambda: None)
    text = getattr(result, "value", None)
    return (text if isinstance(text, str) else value), bool(getattr(result, "run", None))
