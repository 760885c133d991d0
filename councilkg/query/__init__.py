"""Queries: from SPARQL text and parameters to a result, on the embedded store or an endpoint.

One path, one module a step:

- ``catalogue``: the canned queries (``queries/*.rq``, described by their ``#+`` headers) and the
  program's own look-ups (``queries/internal/*.rq``);
- ``params``: a parameter as a user types it ("Croydon", "2017-09-19") resolved to an RDF term;
- ``safety``: what a user's SPARQL may do, checked before it runs (``analyse``), and the VALUES
  blocks that bind parameters (``inject_values``);
- ``binding``: ``bind_query``, the one place ``{name: Value}`` become the text the engine runs;
- ``backends``: where a bound query runs (``Backend.execute``): ``EmbeddedBackend`` in this process or,
  for a user's query, in a worker process (``pool``, ``worker``, ``protocol``, ``execute``);
  ``RemoteBackend`` on any SPARQL 1.1 endpoint;
- ``results``: ``Value`` and ``QueryResult``, built once from whatever the engine answered, with the
  row cap, and written as a table, CSV or SPARQL JSON;
- ``runner``: ``Runner``, the entry point the CLI and the app use, with the row and time limits of
  ``councilkg.settings``.
"""
