"""New plans from spreadsheets, CSV and printed text, written out as YAML for the data directory."""
