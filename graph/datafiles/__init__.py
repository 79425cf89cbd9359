"""The data directory: the only code that reads or writes it (YAML with line numbers, references, the rejections file, data-dir checks)."""
