"""Text from the data or from an address, made safe to put into markdown (st.markdown, headers, alerts, labels).

Streamlit draws markdown nearly everywhere (headers, alerts, captions, expander and link labels), so a
label such as ``![x](http://…)`` would make every visitor's browser fetch that address, ``[Log in
again](http://…)`` would be a working link, and ``<img …>`` HTML. Here the text's HTML is escaped, its
markdown syntax neutralised (images, links, reference links, emphasis, LaTeX, Streamlit's ``:red[…]``
and ``:icon:`` directives), and the addresses GitHub-flavoured markdown would turn into links by
themselves (``http://…``, ``www.…``, ``name@host``) are broken with an invisible word joiner, which
escaping cannot do: Streamlit links them after unescaping. The text then shows as the text it is.
"""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:])")
#: what GFM's autolink-literal extension links in plain text: a scheme, www., or an e-mail address's @
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """Data text made safe for markdown: HTML escaped, markdown syntax neutralised, no address linked."""
    plain = _AUTOLINK.sub(WORD_JOINER, str(text))
    return _MD_SPECIAL.sub(r"\\\1", html.escape(plain, quote=False))
