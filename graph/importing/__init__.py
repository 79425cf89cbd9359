"""New plans from spreadsheets, CSV and printed text, written out as YAML for the data directory.

``importer`` holds the entry point (``import_plan``); ``readers`` reads files safely into tables of text,
``headers`` names the columns, ``printed`` reads printed dates, responses and statuses, ``organisations`` finds
registry organisations in text, ``builder`` turns rows into recommendations and ``yamlout`` writes the YAML.
"""

from .headers import FIELDS, parse_mapping
from .importer import ImportResult, import_plan
from .readers import read_tables

__all__ = ["FIELDS", "ImportResult", "import_plan", "parse_mapping", "read_tables"]
