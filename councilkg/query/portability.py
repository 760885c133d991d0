"""Calls of the catalogue known to answer differently on an engine other than the embedded store (issue 25).

One list, read by the engine comparison (``tests/test_virtuoso.py``) and by the benchmark's Virtuoso column
(``bench/run.py``), so a known difference is recorded once, with what goes wrong. A call is keyed by the data
set it was seen on (``curated``: the curated graph alone; ``real``: the authority lookup, both Ofsted workbooks,
Ofsted's reports and the seed documents), the query's name and its arguments' values joined by ``-`` (empty for
the national form). The comparison treats each entry as a strict expected failure, so an entry that starts to
pass must be taken off.
"""

from __future__ import annotations

#: (data set, query, arguments) -> what Virtuoso 7.2.5 gets wrong
VIRTUOSO: dict[tuple[str, str, str], str] = {
    ("real", "source_disagreements", ""): "Virtuoso drops Merton's ILACS standard/short disagreement: in the whole query "
                                          "FILTER NOT EXISTS { ?value1 skos:broader+ ?value2 } holds for two siblings "
                                          "(alone it does not)",
    # "SQ200 Aggregate function not allowed in context", as it seems for the FILTER NOT EXISTS that compares two dates
    # its subqueries aggregate (MAX), the "no inspection between them" of the next inspection
    **{(data_set, "recurring_themes", args): "SQ200: an aggregate in the context of the next inspection's FILTER NOT EXISTS"
       for data_set in ("curated", "real") for args in ("", "Croydon")},
    **{(data_set, "recoveries", args): "SR066: Unsupported case in CONVERT (incomplete RDF box -> VARCHAR)"
       for data_set in ("curated", "real") for args in ("", "Croydon")},
    **{("real", name, args): "different rows on the real store with the reports' paragraphs and themes loaded"
       for name, args in (("authority_recommendations", "Croydon"), ("document_candidates", ""), ("grade_changes", ""),
                          ("grades_in_force", ""),
                          ("grades_in_force", "2018-04-01-https://w3id.org/councilkg/id/concept/judgement-area/ilacs-children-in-care"),
                          ("latest_grades", ""), ("latest_grades", "London"), ("source_disagreements", "Nottingham"),
                          ("theme_authorities", "Care leavers' accommodation"))},
}

#: (data set, query, arguments) -> why the call is not compared on Virtuoso at all
VIRTUOSO_NOT_COMPARED: dict[tuple[str, str, str], str] = {
    ("real", "role_network", ""): "Virtuoso does not answer the national network on the real store within the 30 s limit "
                                  "(the embedded store: about 2 s)",
}


def call_key(data_set: str, name: str, args: dict[str, str]) -> tuple[str, str, str]:
    """The key of a call in the lists above."""
    return data_set, name, "-".join(args.values())


def virtuoso_difference(data_set: str, name: str, args: dict[str, str]) -> str | None:
    """What Virtuoso is known to get wrong in the call, or why it is not compared; None where it should agree."""
    key = call_key(data_set, name, args)
    return VIRTUOSO.get(key) or VIRTUOSO_NOT_COMPARED.get(key)
