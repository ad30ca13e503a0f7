#!/usr/bin/env bash
# Installs everything the portal needs on a fresh Debian machine: system packages (only those
# missing), a virtualenv in .venv with the pinned requirements, and the npm front-end assets.
# Safe to run again: each step is skipped when already done. Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts-noto-cjk: Chinese faces for pages and PDFs; libharfbuzz-subset0, libpango*: WeasyPrint;
# poppler-utils: pdftotext (text PDFs clerks upload) and pdftoppm for PDF tests; chromium: browser
# tests and screenshots; libreoffice-writer-nogui: converts uploaded .doc and .wps files.
APT_PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium libreoffice-writer-nogui)
command -v npm >/dev/null || APT_PACKAGES+=(npm)
# nginx and openssl: the production-stack test (tests/deploy) runs deploy/'s nginx site on this machine;
# wrk: the load generator of `manage.py benchmark --only web` (C, so the client is not the bottleneck).
[ "${1:-}" = "dev" ] && APT_PACKAGES+=(nginx openssl wrk)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "==> 安装系统软件包: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv ($($PYTHON --version))"
  "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
req=requirements.txt
[ "${1:-}" = "dev" ] && req=requirements-dev.txt
# A stamp of the requirement files' content avoids a slow pip resolve on every run.
stamp=".venv/.installed-$(cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)-$(basename "$req" .txt)"
if [ ! -f "$stamp" ]; then
  echo "==> 安装 Python 依赖 ($req)"
  .venv/bin/pip install -q -r "$req"
  touch "$stamp"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> 安装前端资源 (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
