"""Jinja2 rendering of the bundled templates (Markdown for people).

Every ``{{ value }}`` is escaped for Markdown on the way out (``output.md_line``: one line,
``|``, HTML, links and ``@mentions`` neutralised), so no template can forget it. Text that is
already Markdown (a Mermaid block, a paragraph escaped with the ``paragraph`` filter) is
passed as ``markupsafe.Markup`` and left alone.
"""

from __future__ import annotations

from typing import Any


def render(name: str, **values: Any) -> str:
    """Render ``templates/NAME`` with ``values``."""
    import jinja2
    from markupsafe import Markup

    from taskgov.output import md_line, md_text, plural
    from taskgov.templates import templates_dir

    def finalize(value: object) -> object:
        return value if isinstance(value, Markup) else md_line(value)

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=False,  # Markdown, not HTML: finalize escapes instead
        keep_trailing_newline=True,
        trim_blocks=False,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
    )
    environment.filters["paragraph"] = lambda value: Markup(md_text(value))
    environment.filters["plural"] = plural
    return environment.get_template(name).render(**values)


def raw(text: str) -> Any:
    """``text`` that is Markdown already (a fenced diagram): rendered as it is."""
    from markupsafe import Markup

    return Markup(text)
