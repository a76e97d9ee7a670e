"""Decision records: the seed's YAML records (``.claude/decisions``), read-only Markdown ADRs,
their lifecycle and rendering."""
