"""Known vulnerabilities in the locked dependencies (`make audit-deps`): pip-audit over requirements.lock.

Exit status 1 when a locked package has a known vulnerability (each listed with the versions that fix
it). pip-audit reads PyPI's advisory data (https://pypi.org/pypi/<name>/<version>/json); a package it
could not look up is "skipped", and when every package is skipped the machine cannot reach that data (on
the build machines here only PyPI's package index is reachable, the JSON API answers 404): the run then
says loudly that nothing was audited and exits 0, since there is nothing the code can fix, or 1 with
``--require-data`` (what a machine with network access should run). A partial audit (some packages
skipped, others audited) exits 1: a package that cannot be looked up must be looked at by hand.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require-data", action="store_true", help="fail when nothing could be audited")
    args = parser.parse_args()
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        *("-r", str(ROOT / "requirements.lock"), "--no-deps", "--disable-pip"),
        *("--progress-spinner", "off", "--format", "json"),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)  # noqa: S603
    try:
        dependencies = json.loads(completed.stdout)["dependencies"]
    except (json.JSONDecodeError, KeyError):
        print(completed.stdout + completed.stderr)
        print("pip-audit gave no result")
        return 1
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    print(f"{len(dependencies)} locked packages: {audited} audited, {len(skipped)} not looked up, "
          f"{len(vulnerable)} with a known vulnerability")  # fmt: skip
    if vulnerable:
        return 1
    if skipped and audited:
        for dependency in skipped:
            print(f"NOT AUDITED {dependency['name']}: {dependency['skip_reason']}")
        return 1
    if skipped:
        print(
            "!!! NOTHING WAS AUDITED: PyPI's advisory data cannot be reached from this machine "
            f"(first reason: {skipped[0]['skip_reason']}). Run `make audit-deps` where it can. !!!"
        )
        return 1 if args.require_data else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
