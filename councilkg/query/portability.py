"""Calls of the catalogue known to answer differently on an engine other than the embedded store (issue 25).

One list, read by the engine comparison (``tests/test_virtuoso.py``) and by the benchmark's Virtuoso column
(``bench/run.py``), so a known difference is recorded once, with what goes wrong. A call is keyed by the data
set it was seen on (``curated``: the curated graph alone; ``real``: the authority lookup, both Ofsted workbooks,
Ofsted's reports and the seed documents), the query's name and its arguments' values joined by ``-`` (empty for
the national form). The comparison treats each entry as a strict expected failure, so an entry that starts to
pass must be taken off.
"""

from __future__ import annotations

#: (data set, query, arguments) -> what Virtuoso 7.2.5 gets wrong (none now: the catalogue is written round the
#: constructs it gets wrong, which docs/virtuoso.md lists)
VIRTUOSO: dict[tuple[str, str, str], str] = {}

#: (data set, query, arguments) -> why the call is not compared on Virtuoso at all (none now)
VIRTUOSO_NOT_COMPARED: dict[tuple[str, str, str], str] = {}


def call_key(data_set: str, name: str, args: dict[str, str]) -> tuple[str, str, str]:
    """The key of a call in the lists above."""
    return data_set, name, "-".join(args.values())


def virtuoso_difference(data_set: str, name: str, args: dict[str, str]) -> str | None:
    """What Virtuoso is known to get wrong in the call, or why it is not compared; None where it should agree."""
    key = call_key(data_set, name, args)
    return VIRTUOSO.get(key) or VIRTUOSO_NOT_COMPARED.get(key)
