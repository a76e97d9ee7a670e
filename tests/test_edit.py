"""Surgical edits change one list and leave every other byte of a hand-written file alone."""

from __future__ import annotations

import pytest

from taskgov.spec.edit import EditError, append_to_list

CASES = [
    (
        'state:\n  status: "ready"   # s\n  blocks: []          # ids\n  started_at: ""\n',
        'state:\n  status: "ready"   # s\n  blocks: ["NEW"]          # ids\n  started_at: ""\n',
    ),
    (
        'state:\n  blocks: ["X", "Y"]  # c\n',
        'state:\n  blocks: ["X", "Y", "NEW"]  # c\n',
    ),
    (
        "state:\n  blocks:\n    - X   # first\n    - Y\n  started_at: ''\n",
        "state:\n  blocks:\n    - X   # first\n    - Y\n    - \"NEW\"\n  started_at: ''\n",
    ),
    (
        "state:\n  blocks:\n  - X\nprogress: []\n",
        'state:\n  blocks:\n  - X\n  - "NEW"\nprogress: []\n',
    ),
    (
        "state:\n  blocks:\n  started_at: ''\n",
        "state:\n  blocks: [\"NEW\"]\n  started_at: ''\n",
    ),
    (
        "state:\n  status: ready\n# tail comment\n",
        'state:\n  status: ready\n  blocks: ["NEW"]\n# tail comment\n',
    ),
    ("title: t\n", 'title: t\n\nstate:\n  blocks: ["NEW"]\n'),
]


@pytest.mark.parametrize(("before", "after"), CASES)
def test_append_to_list(before: str, after: str) -> None:
    text = "task_id: A\n" + before
    assert append_to_list(text, "state", "blocks", "NEW") == "task_id: A\n" + after


def test_already_listed_is_unchanged() -> None:
    text = "task_id: A\nstate:\n  blocks: [NEW]\n"
    assert append_to_list(text, "state", "blocks", "NEW") is text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("state: {status: ready}\n", "flow style"),
        ("state:\n  blocks: TASK-1\n", "not a list"),
        ("state: [1]\n", "not a mapping"),
        ("- a\n", "not a mapping"),
        ("state:\n  blocks: [\n", "YAML syntax error"),
    ],
)
def test_refuses_what_it_cannot_edit_safely(text: str, message: str) -> None:
    with pytest.raises(EditError, match=message):
        append_to_list(text, "state", "blocks", "NEW")
