"""From parsed files to triples, and the SHACL check of the whole data."""
