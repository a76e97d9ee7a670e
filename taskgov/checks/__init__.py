"""Checks of specs: schema, graph and quality rules, and the report they make."""
