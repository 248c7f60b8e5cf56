"""Demo data of open data (`seed_demo`, after every other app): the catalogue's datasets and a first
release of each, built from what the other apps' demo data holds. The services' performance table is
refreshed first (the worker does it hourly) so that the service dataset is not empty on a fresh demo.
Idempotent: an unchanged dataset gets no new release."""

from __future__ import annotations

from nokor.opendata.services import datasets_regenerate
from nokor.services import performance


def seed() -> None:
    performance.compute()
    datasets_regenerate()
