#!/usr/bin/env bash
# Install what the tests need and run the whole suite (this is what CI runs: .ci/run).
#   Python packages: requirements-test.txt (the app's packages + pytest, Playwright, ruff)
#   Debian packages: chromium (the real browser of the browser tests), fonts-noto-color-emoji
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

apt_packages=()
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || apt_packages+=(fonts-noto-color-emoji)
if [ ${#apt_packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

python3 -m ruff check .
python3 -m pytest "$@"
