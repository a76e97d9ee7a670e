"""Pull-request review: what a change does to the specs and the plan, read from git objects.

``review(root, base, head)`` compares two revisions; ``render_markdown`` and
``annotations`` present the result for a pull-request comment and for inline findings.
"""

from taskgov.review.report import Review, review

__all__ = ["Review", "review"]
