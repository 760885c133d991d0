"""Text from the data or from an address, made safe to put into markdown (st.markdown, page-link labels).

Streamlit draws markdown, so a label such as ``[x](javascript:...)`` or ``<img ...>`` would be
interpreted; here its HTML is escaped and its markdown syntax neutralised, so it shows as the text it is.
"""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:])")


def md(text: object) -> str:
    """Data text made safe for markdown: HTML escaped, markdown syntax neutralised."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))
