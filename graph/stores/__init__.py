"""Where the graph lives: the GraphStore protocol, the embedded Oxigraph store, a SPARQL endpoint, and push."""
