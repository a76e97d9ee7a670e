"""Validation: schema, graph and quality rules over a repository's specs."""
