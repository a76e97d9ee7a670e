"""Bundled templates: inside the wheel as ``taskgov/templates``, in a checkout as ``templates/``."""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def template_text(name: str) -> str:
    return (templates_dir() / name).read_text(encoding="utf-8")
