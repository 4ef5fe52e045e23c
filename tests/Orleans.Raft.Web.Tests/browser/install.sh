#!/usr/bin/env bash
# Installs what the browser test needs: Debian's Chromium and npm playwright-core (no browser download).
# Used by the test project's build (so 'dotnet test' sets it up) and by .ci/run. Never fails the caller:
# when an install does not work, the browser test fails and says what is missing.
set -u
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo -n"; else echo "browser test: cannot install Chromium without root"; exit 0; fi
  fi
  echo "browser test: installing Chromium (apt-get)..."
  ($sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
    echo "browser test: could not install Chromium; the browser test will fail"
fi
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if command -v npm >/dev/null; then
    echo "browser test: installing playwright-core (npm ci)..."
    npm ci --no-audit --no-fund --silent || echo "browser test: npm ci failed; the browser test will fail"
  else
    echo "browser test: npm is not installed; the browser test will fail"
  fi
fi
exit 0
