"""Suggested links between plans and the review of them (accept, reject, remember)."""
