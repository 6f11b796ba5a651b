#!/usr/bin/env bash
# Install what the tests need and run the whole suite (this is what CI runs: .ci/run).
#   Python packages: requirements-test.txt (the app's packages + pytest, Playwright, ruff)
#   Debian packages: chromium (the real browser of the browser tests), fonts-noto-color-emoji,
#                    postgresql-15-postgis-3 (the scale-out store; a throw-away server is started
#                    on 127.0.0.1:54329 for the run and stopped after it)
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

apt_packages=()
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || apt_packages+=(fonts-noto-color-emoji)
dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 || apt_packages+=(postgresql-15-postgis-3)
if [ ${#apt_packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

python3 -m ruff check .

BUURTKAART_TEST_POSTGRES_URL=$(bash scripts/postgres.sh start)
export BUURTKAART_TEST_POSTGRES_URL
trap 'bash scripts/postgres.sh stop' EXIT
python3 -m pytest "$@"
