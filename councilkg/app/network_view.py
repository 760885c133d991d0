"""The network drawing: nodes and edges drawn as SVG by the project's own script (``static/network_view.js``).

One of the project's own components (``components.py``: no iframe, no chart library for the browser to fetch and
start first), so an ego network is on the screen soon after the page's title (bench/network.py). Colour by kind,
size by centrality, a tooltip on every node and edge, and a click (or Enter on a focused node) reports the node to
Python. Every label reaches the browser as data and is set as text, never parsed as HTML.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from councilkg.app import components
from councilkg.explore.network import KIND_COLOURS

#: the radius (pixels) of the least and the most central node
MIN_RADIUS, MAX_RADIUS = 4.5, 19.0
#: above this many nodes only the most central are named on the drawing (every node keeps its tooltip)
MAX_LABELS = 60
_HTML = '<div class="ckg-network"><div class="ckg-legend"></div></div>'


def _colour(kind: str) -> str:
    """A kind's colour (an organisation's for a kind the palette does not know)."""
    return KIND_COLOURS.get(kind, KIND_COLOURS["organisation"])


def _unit(values: list[float]) -> list[float]:
    """Values scaled to 0..1 (all 0.5 when they are one value)."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    span = high - low
    return [0.5 if span == 0 else (v - low) / span for v in values]


def network_payload(nodes: list[dict], edges: list[dict], height: int = 560, selected: str | None = None,
                    clickable: bool = True) -> dict:
    """What the script draws, from ``network.drawing``'s records: positions scaled to 0..1 (y downwards), a radius
    from the node's size, its colour, its tooltip, whether it is named on the drawing, and edges by node index;
    whether a click on a node is reported."""
    index = {n["id"]: i for i, n in enumerate(nodes)}
    xs, ys = _unit([n["x"] for n in nodes]), _unit([-n["y"] for n in nodes])
    top = max((n["size"] for n in nodes), default=0.0) or 1.0
    named = {n["id"] for n in sorted(nodes, key=lambda n: -n["size"])[:MAX_LABELS]}
    drawn = [{"id": n["id"], "label": n["label"], "kind": n["kind"], "x": round(x, 4), "y": round(y, 4),
              "r": round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(max(n["size"], 0.0) / top), 1),
              "colour": _colour(n["kind"]),
              "tip": f"{n['label']}\n{n['kind']}, centrality {n['centrality']:g}", "named": n["id"] in named}
             for n, x, y in zip(nodes, xs, ys, strict=True)]
    lines = [{"s": index[e["u"]], "t": index[e["v"]],
              "tip": f"{e['source']} — {e['role']} — {e['target']}" if e["role"] else f"{e['source']} — {e['target']}"}
             for e in edges if e["u"] in index and e["v"] in index]
    kinds = list(dict.fromkeys(n["kind"] for n in drawn))
    order = {kind: n for n, kind in enumerate(KIND_COLOURS)}
    legend = [{"kind": k, "colour": _colour(k)} for k in sorted(kinds, key=lambda k: order.get(k, len(order)))]
    return {"nodes": drawn, "edges": lines, "legend": legend, "height": height,
            "selected": selected if selected in index else None, "clickable": clickable}


def network_view(nodes: list[dict], edges: list[dict], key: str, height: int = 560, selected: str | None = None,
                 on_click: Callable[[str], None] | None = None) -> None:
    """Draw the network; a click on a node calls ``on_click`` with its id.

    ``on_click(id)`` runs before the rerun's script does, as a widget's callback does, so what it sets in
    ``st.session_state`` (the selected node, say) is what the whole of that run sees, the drawing included.
    Without it a click does nothing (no rerun): the nodes are only pointed at, for their tooltips."""

    def clicked_now() -> None:
        value = getattr(st.session_state.get(key), "clicked", None)
        if on_click is not None and isinstance(value, str):
            on_click(value)

    drawing = components.own("network_view", _HTML)
    # in a list, not as the dict itself (nor as text): Streamlit looks for dataframes in a dict's values and in
    # anything else but a list, tuple or bytes, which imports pandas (0.3-0.45 s of the first page an app process
    # draws, before the drawing can be sent)
    payload = [network_payload(nodes, edges, height, selected, clickable=on_click is not None)]
    drawing(data=payload, key=key, on_clicked_change=clicked_now)
