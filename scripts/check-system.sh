#!/usr/bin/env bash
# Says which optional system packages are missing and what does not work without them. Never fails.
note() { printf '  - %s\n' "$1"; }
missing=0
command -v msgfmt >/dev/null || { note "gettext missing: pages show in English only (cannot compile the Khmer catalogue)"; missing=1; }
fc-list 2>/dev/null | grep -qi khmer || { note "no Khmer font (fonts-khmeros): Khmer in PDFs prints as empty boxes"; missing=1; }
command -v chromium >/dev/null || { note "chromium missing: browser tests are skipped"; missing=1; }
command -v pdfsig >/dev/null || { note "poppler-utils missing: signed-PDF checks are skipped"; missing=1; }
if [ $missing -eq 1 ]; then echo "  Install them with: sudo scripts/install-system-packages.sh"; fi
exit 0
