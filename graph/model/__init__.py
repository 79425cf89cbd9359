"""The closed vocabulary: node types, relations, statuses and the crossplan namespace."""
