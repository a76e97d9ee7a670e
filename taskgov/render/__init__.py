"""Jinja2 rendering of the bundled templates (Markdown for people)."""

from __future__ import annotations

from typing import Any


def render(name: str, **values: Any) -> str:
    """Render ``templates/NAME`` with ``values``."""
    import jinja2

    from taskgov.templates import templates_dir

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=False,  # Markdown, not HTML
        keep_trailing_newline=True,
        trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(name).render(**values)
