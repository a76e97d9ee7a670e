"""Surgical edits change one list and leave every other byte of a hand-written file alone."""

from __future__ import annotations

import pytest

from taskgov.spec.edit import EditError, add_section, append_entry, append_to_list, set_scalar

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


ENTRY = [("date", "2026-01-01"), ("note", "Started")]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # a block list of mappings, the last one ending in a block scalar
            "progress:\n  - date: d\n    note: |\n      a\n\n# next\nreview: {}\n",
            "progress:\n  - date: d\n    note: |\n      a\n"
            '  - date: "2026-01-01"\n    note: "Started"\n\n# next\nreview: {}\n',
        ),
        (  # items at the key's column
            "progress:\n- date: d\nreview: {}\n",
            'progress:\n- date: d\n- date: "2026-01-01"\n  note: "Started"\nreview: {}\n',
        ),
        (
            "progress: []  # none\n",
            'progress: [{date: "2026-01-01", note: "Started"}]  # none\n',
        ),
        ("progress:\n", 'progress: [{date: "2026-01-01", note: "Started"}]\n'),
        (  # missing: after the state section, before what follows it
            "state:\n  status: ready\n  # about state\n\nreview: {}\n",
            'state:\n  status: ready\nprogress:\n  - date: "2026-01-01"\n    note: "Started"\n'
            "  # about state\n\nreview: {}\n",
        ),
        (  # CRLF, no final newline
            "state:\r\n  status: ready\r\nprogress:\r\n  - date: d",
            'state:\r\n  status: ready\r\nprogress:\r\n  - date: d\r\n  - date: "2026-01-01"\r\n'
            '    note: "Started"',
        ),
    ],
)
def test_append_entry(before: str, after: str) -> None:
    first = "task_id: A\r\n" if "\r\n" in before else "task_id: A\n"
    assert append_entry(first + before, "progress", ENTRY, after="state") == first + after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "state:\n  status: ready  # s\n  blocks:\n    - X\n\n  # c\nreview: {}\n",
            'state:\n  status: ready  # s\n  blocks:\n    - X\n  started_at: "T"\n\n  # c\n'
            "review: {}\n",
        ),
        ("state:\r\n  status: ready", 'state:\r\n  status: ready\r\n  started_at: "T"'),
        ("state:\n  started_at:  # c\n", 'state:\n  started_at: "T"  # c\n'),
        ("state:\n  started_at: ''\n", 'state:\n  started_at: "T"\n'),
    ],
)
def test_set_scalar_adds_a_missing_key_after_the_last_one(before: str, after: str) -> None:
    assert set_scalar(before, ("state", "started_at"), "T", last=True) == after


def test_add_section_keeps_the_line_endings_and_the_final_newline() -> None:
    assert add_section("a: 1\r\n", "state", [("status", "x")]) == (
        'a: 1\r\n\r\nstate:\r\n  status: "x"\r\n'
    )
    assert add_section("a: 1", "state", [("status", "x")]) == 'a: 1\n\nstate:\n  status: "x"'
    with pytest.raises(EditError, match="already exists"):
        add_section("state: {}\n", "state", [("status", "x")])


def test_an_entry_that_would_change_other_values_is_refused() -> None:
    keep = "progress:\n  - note: |+\n      a\n\n"  # keep-chomping: trailing lines are the value
    with pytest.raises(EditError, match="safely"):
        append_entry(keep, "progress", ENTRY)
