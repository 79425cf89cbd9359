"""The crossplan ontology and SHACL shapes."""
