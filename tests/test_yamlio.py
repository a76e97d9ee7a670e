"""taskgov.spec.yamlio: bounded, located YAML reading and careful file access."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest

from taskgov.spec.yamlio import YamlProblem, atomic_write, load, read_bytes, read_text


def data_of(text: str) -> object:
    return load(text)[0]


def problem_of(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as caught:
        load(text)
    return caught.value


# --------------------------------------------------------------------------- values


def test_load_returns_plain_data() -> None:
    data, node = load("task_id: T-1\nstate:\n  status: ready\n  blocked_by: [A, B]\n")
    assert data == {"task_id": "T-1", "state": {"status": "ready", "blocked_by": ["A", "B"]}}
    assert type(data) is dict
    assert type(data["state"]["blocked_by"]) is list
    assert type(data["task_id"]) is str
    assert node is not None


def test_empty_document_is_none() -> None:
    assert load("")[0] is None
    assert data_of("# only a comment\n") is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("2026-01-23", "2026-01-23"),
        ("2026-01-23T10:00:00Z", "2026-01-23T10:00:00Z"),
        ("2026-01-23 10:00:00", "2026-01-23 10:00:00"),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("True", True),
        ("false", False),
        ("FALSE", False),
        ("0x1F", 31),
        ("0xff", 255),
        ("0o17", 15),
        ("42", 42),
        ("-7", -7),
        ("1.5", 1.5),
        ("1.0", 1.0),
        ("null", None),
        ("~", None),
        ("", None),
        ('"2026-01-23"', "2026-01-23"),
        ('"true"', "true"),
        ("'0x1F'", "0x1F"),
        ("1.0.0", "1.0.0"),
    ],
)
def test_scalars_follow_yaml_1_2(source: str, expected: object) -> None:
    value = data_of(f"key: {source}\n")
    assert value == {"key": expected}
    assert type(value["key"]) is type(expected)  # type: ignore[index]


def test_special_floats() -> None:
    value = data_of("a: .inf\nb: -.inf\nc: .nan\n")
    assert value["a"] == math.inf  # type: ignore[index]
    assert value["b"] == -math.inf  # type: ignore[index]
    assert math.isnan(value["c"])  # type: ignore[index]


# --------------------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("key: value\n  bad: indent\n", 2),
        ("a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6: 7\n", 6),
        ("a: 1\nb: 2\n- item\n", 3),
        ('a: 1\nb: "unterminated\n', 3),
        ("a: 1\nb: 2\nc: 3\nd: 4\n\t- tabbed\n", 5),
    ],
)
def test_syntax_error_is_tg001_with_line(text: str, line: int) -> None:
    problem = problem_of(text)
    assert problem.rule == "TG001"
    assert problem.line == line
    assert "syntax" in problem.message


def test_syntax_error_column_is_one_based() -> None:
    problem = problem_of("key: value\n  bad: indent\n")
    assert problem.column is not None
    assert problem.column >= 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: 2\na: 3\n", 3),
        ("state:\n  status: ready\n  blocks: []\n  status: done\n", 4),
        ("list:\n  - x: 1\n    y: 2\n\n    x: 3\n", 5),
        ("{a: 1, b: 2, a: 3}\n", 1),
    ],
)
def test_duplicate_key_is_tg006_at_second_key(text: str, line: int) -> None:
    problem = problem_of(text)
    assert problem.rule == "TG006"
    assert problem.line == line


def test_duplicate_key_message_names_the_first_line() -> None:
    problem = problem_of("title: a\nother: b\n\ntitle: c\n")
    assert problem.line == 4
    assert "title" in problem.message
    assert "line 1" in problem.message


def test_same_key_in_different_mappings_is_fine() -> None:
    assert data_of("a:\n  x: 1\nb:\n  x: 2\n") == {"a": {"x": 1}, "b": {"x": 2}}


# --------------------------------------------------------------------------- bounded cost


def billion_laughs(levels: int = 10, width: int = 10) -> str:
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [9, 10])
def test_alias_bomb_is_tg004_and_fast(levels: int) -> None:
    started = time.perf_counter()
    problem = problem_of(billion_laughs(levels))
    elapsed = time.perf_counter() - started
    assert problem.rule == "TG004"
    assert elapsed < 2.0


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "&a [*a]\n", "a: &a {b: *a}\n"])
def test_recursive_alias_is_tg004(text: str) -> None:
    assert problem_of(text).rule == "TG004"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 200 + "]" * 200,
        "a: " + "[" * 200 + "1" + "]" * 200 + "\n",
        "{a: " * 200 + "1" + "}" * 200,
        "[" * 3000 + "]" * 3000,
    ],
)
def test_deep_nesting_is_a_problem_not_a_crash(text: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load(text)
    assert caught.value.rule in ("TG004", "TG001")


def test_moderate_nesting_is_fine() -> None:
    assert data_of("[" * 30 + "]" * 30) is not None


def test_legitimate_anchor_and_alias() -> None:
    text = (
        "defaults: &defaults [pytest, ruff]\n"
        "a:\n  verification: *defaults\n"
        "b:\n  verification: *defaults\n"
    )
    data = data_of(text)
    assert data == {
        "defaults": ["pytest", "ruff"],
        "a": {"verification": ["pytest", "ruff"]},
        "b": {"verification": ["pytest", "ruff"]},
    }


def test_merge_key() -> None:
    text = (
        "base: &base\n  type: feature\n  priority: high\n"
        "task:\n  <<: *base\n  priority: low\n  milestone: M1\n"
    )
    data = data_of(text)
    assert data["task"] == {"type": "feature", "priority": "low", "milestone": "M1"}  # type: ignore[index]
    assert "<<" not in data["task"]  # type: ignore[index]


def test_merge_key_with_a_list_of_mappings() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n"
    assert data_of(text)["c"] == {"x": 1, "y": 1, "z": 2}  # type: ignore[index]


# --------------------------------------------------------------------------- locate

SPEC = """\
task_id: T-1
title: Implement it
state:
  status: ready
  blocked_by:
    - A
    - B
  blocks: [C, D]
acceptance_criteria:
  - criterion: first
    verification: pytest
  - criterion: second
"""


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (("task_id",), (1, 1)),
        (("state",), (3, 1)),
        (("state", "status"), (4, 3)),
        (("state", "blocked_by"), (5, 3)),
        (("state", "blocked_by", 0), (6, 7)),
        (("state", "blocked_by", 1), (7, 7)),
        (("acceptance_criteria", 1), (12, 5)),
        (("acceptance_criteria", 1, "criterion"), (12, 5)),
        (("acceptance_criteria", 0, "verification"), (11, 5)),
    ],
)
def test_locate(path: tuple[str | int, ...], where: tuple[int, int]) -> None:
    _, locations = load(SPEC)
    assert locations.find(path) == where


def test_locate_missing_path_falls_back_to_deepest_parent() -> None:
    _, locations = load(SPEC)
    assert locations.find(("state", "nope")) == (3, 1)
    assert locations.find(("nope",)) == (1, 1)
    assert locations.find(("state", "blocked_by", 9)) == (5, 3)


def test_locate_without_document() -> None:
    data, locations = load("")
    assert data is None
    assert locations.find(("a",)) is None


# --------------------------------------------------------------------------- files


def test_read_text_plain(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("title: Café\n".encode())
    assert read_text(path) == "title: Café\n"
    assert read_bytes(path) == "title: Café\n".encode()


def test_binary_file_is_tg002(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"a: 1\nb: 2\x00\x01\x02\n")
    with pytest.raises(YamlProblem) as caught:
        read_text(path)
    assert caught.value.rule == "TG002"
    assert caught.value.line == 2
    assert "binary" in caught.value.message


def test_invalid_utf8_is_tg002_with_line(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"a: 1\nb: 2\nc: caf\xe9\nd: 4\n")
    with pytest.raises(YamlProblem) as caught:
        read_text(path)
    assert caught.value.rule == "TG002"
    assert caught.value.line == 3
    assert "UTF-8" in caught.value.message


def test_bom_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbftask_id: T-1\n")
    text = read_text(path)
    assert text == "task_id: T-1\n"
    assert data_of(text) == {"task_id": "T-1"}


def test_file_larger_than_limit_is_tg005(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 2049)
    with pytest.raises(YamlProblem) as caught:
        read_bytes(path, max_bytes=2048)
    assert caught.value.rule == "TG005"


def test_file_at_the_limit_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 2048)
    assert len(read_bytes(path, max_bytes=2048)) == 2048


def test_symlink_outside_root_is_tg003(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    outside = tmp_path / "secret.yaml"
    outside.write_text("a: 1\n")
    link = root / "link.yaml"
    link.symlink_to(outside)
    with pytest.raises(YamlProblem) as caught:
        read_text(link, root)
    assert caught.value.rule == "TG003"
    # Without a root there is nothing to escape from.
    assert read_text(link) == "a: 1\n"


def test_relative_symlink_climbing_out_is_tg003(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (tmp_path / "other.yaml").write_text("a: 1\n")
    link = root / "docs" / "link.yaml"
    link.symlink_to(Path("..") / ".." / "other.yaml")
    with pytest.raises(YamlProblem) as caught:
        read_bytes(link, root)
    assert caught.value.rule == "TG003"


def test_symlink_inside_root_is_fine(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    target = root / "docs" / "real.yaml"
    target.write_text("a: 1\n")
    link = root / "link.yaml"
    link.symlink_to(Path("docs") / "real.yaml")
    assert read_text(link, root) == "a: 1\n"


def test_root_given_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real-repo"
    real.mkdir()
    (real / "a.yaml").write_text("a: 1\n")
    (real / "link.yaml").symlink_to(real / "a.yaml")
    alias = tmp_path / "alias"
    alias.symlink_to(real)
    assert read_text(alias / "link.yaml", alias) == "a: 1\n"


def test_file_under_symlinked_directory_outside_root_is_tg003(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.yaml").write_text("a: 1\n")
    (root / "tasks").symlink_to(outside)
    with pytest.raises(YamlProblem) as caught:
        read_bytes(root / "tasks" / "a.yaml", root)
    assert caught.value.rule == "TG003"


def test_directory_is_tg002(tmp_path: Path) -> None:
    directory = tmp_path / "dir.yaml"
    directory.mkdir()
    with pytest.raises(YamlProblem) as caught:
        read_text(directory)
    assert caught.value.rule == "TG002"
    assert "directory" in caught.value.message


def test_missing_and_broken_link_are_tg002(tmp_path: Path) -> None:
    with pytest.raises(YamlProblem) as caught:
        read_text(tmp_path / "missing.yaml")
    assert caught.value.rule == "TG002"
    broken = tmp_path / "broken.yaml"
    broken.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(YamlProblem) as caught:
        read_text(broken, tmp_path)
    assert caught.value.rule == "TG002"


# --------------------------------------------------------------------------- atomic_write


def test_atomic_write_exclusive_refuses_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "T-1.yaml"
    path.write_text("old: content\n")
    with pytest.raises(FileExistsError):
        atomic_write(path, "new: content\n", exclusive=True)
    assert path.read_text() == "old: content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["T-1.yaml"]


def test_atomic_write_exclusive_creates_new_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "T-2.yaml"
    atomic_write(path, "a: 1\n", exclusive=True)
    assert path.read_text() == "a: 1\n"
    assert not path.is_symlink()
    assert os.stat(path).st_nlink == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["T-2.yaml"]


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "T-3.yaml"
    path.write_text("old\n")
    atomic_write(path, "new: é\n")
    assert path.read_bytes() == "new: é\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["T-3.yaml"]


def test_atomic_write_keeps_newlines_as_lf(tmp_path: Path) -> None:
    path = tmp_path / "T-4.yaml"
    atomic_write(path, "a: 1\nb: 2\n")
    assert path.read_bytes() == b"a: 1\nb: 2\n"


# --------------------------------------------------------------------------- differential

TRICKY_SCALARS = [
    "1_000",
    "0x1F",
    "0o17",
    "0b101",
    "1e3",
    "1E-3",
    ".5",
    "5.",
    "-.inf",
    "+.INF",
    ".NaN",
    "+1",
    "-0",
    "007",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "True",
    "FALSE",
    "tRue",
    "~",
    "null",
    "NULL",
    "Null",
    "'quoted'",
    '"1"',
    "1.0",
    "12:30",
    "1:20:30",
    "+",
    ".",
    "1.2.3",
    "0x",
    "0xZZ",
    "1__0",
    "_1",
    "1_",
    "3-5d",
    "4h",
    "1.5w",
    "[]",
    "{}",
    "''",
    "!!str 12",
    "!!int '12'",
    "2026-01-23",
    "v1.0",
]


@pytest.mark.parametrize("scalar", TRICKY_SCALARS)
def test_scalars_resolve_like_ruamel(scalar: str) -> None:
    import math

    from ruamel.yaml import YAML

    text = f"value: {scalar}\n"
    expected = YAML(typ="safe", pure=True).load(text)["value"]
    actual = load(text)[0]["value"]
    if scalar == "2026-01-23":
        assert actual == "2026-01-23"  # taskgov keeps timestamps as the text people wrote
        return
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(actual, float)
        assert math.isnan(actual)
        return
    assert actual == expected
    assert type(actual) is type(expected)


def test_real_files_load_like_ruamel() -> None:
    from conftest import GOVERNANCE
    from ruamel.yaml import YAML

    files = sorted(GOVERNANCE.glob("**/*.yaml"))
    assert len(files) == 6  # the template, 3 specs, the decision template and record
    for path in files:
        text = path.read_text(encoding="utf-8")
        expected = YAML(typ="safe", pure=True).load(text)
        assert load(text)[0] == _timestamps_as_text(expected), path


def _timestamps_as_text(value: object) -> object:
    import datetime as dt

    if isinstance(value, dict):
        return {k: _timestamps_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_timestamps_as_text(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_non_specific_tag_is_a_string() -> None:
    assert load("value: ! 12\n")[0] == {"value": "12"}  # YAML 1.2: "!" means a string
