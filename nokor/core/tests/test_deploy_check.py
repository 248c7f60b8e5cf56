"""The documented production settings pass Django's deployment checklist with no warning."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_check_deploy_is_clean_with_the_documented_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOKOR_", "PYTEST"))}
    env.update(
        {
            "NOKOR_SECRET_KEY": "x" * 20 + "a-production-like-secret-key-of-sufficient-length-0123456789",
            "NOKOR_HTTPS": "1",
            "NOKOR_ALLOWED_HOSTS": "nokor.example.gov.kh",
            "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/nokor-deploy-check.sqlite3"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOKOR_", "PYTEST"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "NOKOR_SECRET_KEY" in result.stderr
