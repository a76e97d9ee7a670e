"""The contribution log: one JSON object per commit in ``.claude/contributions/YYYY-MM.jsonl``,
derived from history so that it can always be rebuilt and verified."""
