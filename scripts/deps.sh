#!/usr/bin/env bash
# Install what heaplens needs to build and test on Debian, when missing.
set -euo pipefail
need=()
for p in build-essential cmake pkg-config zlib1g-dev libxxhash-dev libcmocka-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
