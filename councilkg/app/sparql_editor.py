"""The SPARQL editor component: a text area with a highlighted copy beneath it, and Ctrl+Enter to run.

Its HTML, CSS and JavaScript are the project's own (``static/``) and load nothing from elsewhere.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

STATIC = Path(__file__).resolve().parent / "static"
_HTML = ('<div class="ckg-editor"><pre aria-hidden="true"><code></code></pre>'
         '<textarea spellcheck="false" aria-label="SPARQL query" data-testid="ckg-sparql-editor"></textarea></div>')


@functools.cache
def _component():
    """The component, declared once per process."""
    return st.components.v2.component(
        "councilkg_sparql_editor",
        html=_HTML,
        css=(STATIC / "sparql_editor.css").read_text(encoding="utf-8"),
        js=(STATIC / "sparql_editor.js").read_text(encoding="utf-8"),
    )


def sparql_editor(key: str, value: str) -> tuple[str, bool]:
    """A syntax-highlighted SPARQL editor; returns (its text, whether Ctrl+Enter asked to run)."""
    result = _component()(data={"value": value}, default={"value": value}, key=key,
                          on_value_change=lambda: None, on_run_change=lambda: None)
    text = getattr(result, "value", None)
    return (text if isinstance(text, str) else value), bool(getattr(result, "run", None))
