"""Registry of personal data held about a user, filled by each app that holds some.

An app registers a section once (in its AppConfig.ready):
* ``export(user) -> dict | list``: everything it holds about the user, for the data export;
* ``erase(user) -> None``: what it deletes or anonymises when the account is deleted;
* ``retained(user) -> list[str]``: what it must keep by law (shown to the user before deletion).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    name: str
    title: Any
    export: Callable[[Any], Any]
    erase: Callable[[Any], None] | None = None
    retained: Callable[[Any], list[str]] | None = None


SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    SECTIONS[section.name] = section
