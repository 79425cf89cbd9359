"""``crossplan serve``: the graph, a query console, the questions and the review queue for a team, and a SPARQL
1.1 Protocol endpoint for other tools — one ASGI application over the same library as the command line.

- ``app``: routes, the headers every response gets, starting the server;
- ``views``: the pages, each with a JSON twin;
- ``questions``: the questions as the server asks them;
- ``sparql``: the SPARQL 1.1 Protocol (reading requests, content negotiation, result formats);
- ``auth``: the edit token and the checks on every write;
- ``workspace``: the store generation answered from, and its reload when the data changes;
- ``pages``: the HTML layout, escaping everything from the data;
- ``assets/``: the pages' script and style files, and the vendored YASGUI (see ``assets/yasgui/VERSION``).

Only `crossplan serve` imports this package (and with it Starlette and uvicorn): the other commands do not pay for them.
"""
