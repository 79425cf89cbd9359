#!/usr/bin/env bash
# Install the Debian packages the tests need: Chromium (browser tests), Virtuoso (a real SPARQL
# server), raptor2-utils (`rapper`, an independent RDF parser), poppler-utils (`pdftotext`, to read the
# report's PDF), wrk (bench's serve load) and Pango with the DejaVu fonts (WeasyPrint, which writes it). Skips what is already there.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || needed+=(virtuoso-opensource)
command -v rapper >/dev/null 2>&1 || needed+=(raptor2-utils)
command -v pdftotext >/dev/null 2>&1 || needed+=(poppler-utils)
# wrk: the HTTP load generator of bench's `serve` row (crossplan serve beside the Oxigraph server).
command -v wrk >/dev/null 2>&1 || needed+=(wrk)
# WeasyPrint (crossplan report -o x.pdf) draws text with Pango; DejaVu is the report's font.
ldconfig -p 2>/dev/null | grep -c 'libpango-1.0.so' >/dev/null || needed+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || needed+=(fonts-dejavu-core)
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
