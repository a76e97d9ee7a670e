"""Secret redaction for exports: every kind TG150 detects becomes ``[REDACTED]``, with the
text around it kept; secret-named fields lose their whole value; nothing else changes."""

from __future__ import annotations

import pytest

from taskgov.interop.redact import REDACTED, is_secret_name, redact_data, redact_text

# Built from parts so that no scanner mistakes this file for a leak.
GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
AWS = "AKIA" + "IOSFODNN7EXAMPLE"
ANTHROPIC = "sk-ant-" + "api03-abcdefghijklmnopqrstuvwxyz012345"
SLACK = "xoxb-" + "1234567890-abcdefghij"
JWT = "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0." + "dozjgNryP4J3jVmNHl0w5N"
PRIVATE = "-----BEGIN RSA " + "PRIVATE KEY-----"


@pytest.mark.parametrize("secret", [GITHUB, AWS, ANTHROPIC, SLACK, JWT, PRIVATE])
def test_each_kind_of_credential_is_replaced_and_the_rest_kept(secret: str) -> None:
    text = f"Deploy with {secret} then run the tests"
    assert redact_text(text) == f"Deploy with {REDACTED} then run the tests"


def test_assignments_keep_their_name_and_urls_their_user_and_host() -> None:
    assert redact_text("password = Zx9k2LmQ8rT4vB7nW") == f"password = {REDACTED}"
    assert (
        redact_text("clone https://bob:s3cretPassw0rd@git.example.com/repo.git")
        == f"clone https://bob:{REDACTED}@git.example.com/repo.git"
    )


def test_several_secrets_in_one_text_and_plain_text_unchanged() -> None:
    text = f"a {GITHUB} b {AWS} c"
    assert redact_text(text) == f"a {REDACTED} b {REDACTED} c"
    plain = "Fit the roofline model: token budget 4096, key results in docs/"
    assert redact_text(plain) == plain


def test_data_is_redacted_everywhere_and_secret_named_fields_whole() -> None:
    data = {
        "title": f"use {GITHUB}",
        "nested": [{"note": f"aws {AWS}"}, 3, True, None],
        "db_password": "short",
        "api-key": "x",
        "max_tokens": "4096",
        "token_count": 12,
        "empty_secret": "",
    }
    assert redact_data(data) == {
        "title": f"use {REDACTED}",
        "nested": [{"note": f"aws {REDACTED}"}, 3, True, None],
        "db_password": REDACTED,
        "api-key": REDACTED,
        "max_tokens": "4096",
        "token_count": 12,
        "empty_secret": "",
    }
    assert data["db_password"] == "short"  # a copy: the input is untouched


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("DB_PASSWORD", True),
        ("api_key", True),
        ("github-token", True),
        ("credentials", True),
        ("tokens", False),
        ("keyboard", False),
        ("secretary", False),
        ("title", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret
