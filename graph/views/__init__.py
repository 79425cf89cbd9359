"""What a person reads or hands on: the browser graph, exports, the mapping matrix and the report."""
