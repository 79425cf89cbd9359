"""The ready-made questions (show, mapping, overdue, gaps, impact, path, duplicates, stats) and saved queries."""
