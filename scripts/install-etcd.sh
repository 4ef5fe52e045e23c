#!/usr/bin/env bash
# Installs Debian's etcd 3.4 (etcd-server, etcd-client), which 'bench etcd' starts as three members on free loopback
# ports (never as a service), to compare with Orleans.Raft on the same machine. Idempotent: nothing to do when etcd is
# there. Exits non-zero when it cannot install it, so a person sees why.
set -u
if command -v etcd >/dev/null && command -v etcdctl >/dev/null; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else echo "etcd: cannot install etcd-server without root (or sudo)"; exit 1; fi
fi
echo "etcd: installing etcd-server and etcd-client (apt-get)..."
# RUNLEVEL=1 keeps the package from starting a service of its own: the benchmark starts its own members.
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq &&
  $sudo env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends etcd-server etcd-client >/dev/null ||
  { echo "etcd: could not install etcd-server and etcd-client"; exit 1; }
etcd --version | head -1
