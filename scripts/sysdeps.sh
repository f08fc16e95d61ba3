#!/usr/bin/env bash
# Installs the Debian packages grid needs when they are missing: `app` for make run,
# `test` adds Chromium and a CJK font for the browser tests. As non-root it only
# names the packages to install.
set -euo pipefail
want=(postgresql-15-postgis-3)
command -v npm >/dev/null || want+=(npm)
python3 -c "import ensurepip" 2>/dev/null || want+=(python3-venv)
# gdal-bin: ogrinfo reads the OGC API in a test, as a GIS user would; wrk and
# nginx-light: the HTTP benchmark's load generator and proxy (its smoke test runs in make test).
[ "${1:-app}" = test ] && want+=(chromium fonts-wqy-microhei gdal-bin wrk nginx-light)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages. Install them as root, then run make again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "sysdeps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
