"""Saved SPARQL queries shipped with crossplan (one .rq file each)."""
