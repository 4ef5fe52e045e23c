#!/usr/bin/env bash
# Installs Debian's redis-server, which the multi-node tests start on a free loopback port (never as a service).
# Used by the test support project's build (so 'dotnet test' sets it up) and by .ci/run. Never fails the caller:
# when the install does not work, the tests that need Redis fail and name this script.
set -u
if [ -x /usr/bin/redis-server ] || command -v redis-server >/dev/null; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo -n"; else echo "redis: cannot install redis-server without root"; exit 0; fi
fi
echo "redis: installing redis-server (apt-get)..."
# RUNLEVEL=1 keeps the package from starting a service of its own: the tests start their own servers. The lock
# timeout waits out the browser test's install when both test projects build at once.
($sudo apt-get -o DPkg::Lock::Timeout=300 update -qq && $sudo env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends redis-server >/dev/null) ||
  echo "redis: could not install redis-server; the tests that need it will fail"
exit 0
