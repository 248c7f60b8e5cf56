"""manage.py bench_monitors: the real check runner against a loopback server, measured and rolled back."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from nokor.infrastructure.models import CheckResult, Monitor

pytestmark = pytest.mark.django_db


def test_measures_the_check_runner_and_leaves_nothing(settings):
    settings.DEMO = True
    kept = Monitor.objects.create(name="real", target="https://portal.example.invalid/")
    out = io.StringIO()
    call_command("bench_monitors", "--monitors", "40", "--minutes", "1", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("NOKOR_SEED "))
    figures = json.loads(line.removeprefix("NOKOR_SEED "))["monitor_checks"]
    assert figures["checks"] == 40 and figures["kept_up"]
    assert figures["checks_per_second"] > 0 and figures["max_lag_seconds"] >= 0
    assert list(Monitor.objects.values_list("pk", "is_active")) == [(kept.pk, True)]
    assert not CheckResult.objects.exists()
