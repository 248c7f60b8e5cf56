"""The staff part of the main menu. Each app registers its entries once, in its ``AppConfig.ready``::

    from nokor.core.navigation import MenuEntry, register
    register(MenuEntry("cyber:triage", _("Cyber reports"), position=20))

An entry shows to whoever the view behind it admits: the view's declared access rule is the one list
of roles, so the menu never offers a page that would answer 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import resolve, reverse

from nokor.core.access import ViewRule, view_rule_of


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: Any  # lazily translated
    position: int = 50


STAFF_MENU: dict[str, MenuEntry] = {}


def register(entry: MenuEntry) -> MenuEntry:
    STAFF_MENU[entry.url_name] = entry
    return entry


@cache
def _target(url_name: str) -> tuple[str, ViewRule | None]:
    path = reverse(url_name)
    return path, view_rule_of(resolve(path).func)


def staff_menu(user: Any) -> list[tuple[str, Any]]:
    """(path, label) of the registered entries `user` may open, in menu order."""
    items = []
    for entry in sorted(STAFF_MENU.values(), key=lambda e: (e.position, e.url_name)):
        path, view_rule = _target(entry.url_name)
        if view_rule is not None and view_rule.admits(user):
            items.append((path, entry.label))
    return items
