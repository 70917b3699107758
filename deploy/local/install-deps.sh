#!/usr/bin/env bash
# Installs what keel needs to build, run and test on Debian 12 (run as root, or with sudo).
set -euo pipefail

packages=(
  build-essential clang-16 libclang-rt-16-dev cmake ninja-build ccache pkg-config clang-format
  libboost1.81-dev libboost-json1.81-dev   # Debian's default Boost (1.74) has no Boost.JSON
  libpq-dev libsodium-dev libhiredis-dev libfmt-dev libssl-dev libcurl4-openssl-dev libvips-dev catch2
  openssl   # the TLS tests make their CA and certificates with it
  postgresql-15 postgresql-client-15 redis-server python3-aiosmtpd curl
  haproxy pgbouncer chromium   # several instances behind a load balancer and PgBouncer; a real browser
)

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
