#!/usr/bin/env bash
# Installs Debian's Chromium for the webview tests when it is missing
# (playwright-core drives it; it never downloads a browser of its own).
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
echo ">> apt-get install chromium"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
