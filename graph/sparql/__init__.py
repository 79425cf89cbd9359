"""The SPARQL language as crossplan uses it: one tokeniser, the read-only guard, result terms and shared patterns."""
