#!/usr/bin/env bash
# Install the Debian packages the tests need: Chromium (browser tests), Virtuoso (a real SPARQL
# server) and raptor2-utils (`rapper`, an independent RDF parser). Skips what is already there.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || needed+=(virtuoso-opensource)
command -v rapper >/dev/null 2>&1 || needed+=(raptor2-utils)
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: need root to install: ${needed[*]}" >&2
  exit 1
fi
echo "install-system-deps: installing ${needed[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
