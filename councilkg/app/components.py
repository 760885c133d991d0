"""The project's own Streamlit components (the SPARQL editor, the network drawing): each one's HTML given by its
module, its CSS and JavaScript read from ``static/<name>.css`` and ``static/<name>.js``. They load nothing from
elsewhere and run in the page itself (Custom Components v2: no iframe)."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

STATIC = Path(__file__).resolve().parent / "static"


@functools.cache
def own(name: str, html: str):
    """The component ``councilkg_<name>``, declared once per process."""
    return st.components.v2.component(
        f"councilkg_{name}",
        html=html,
        css=(STATIC / f"{name}.css").read_text(encoding="utf-8"),
        js=(STATIC / f"{name}.js").read_text(encoding="utf-8"),
    )
