#!/usr/bin/env bash
# Sets up a fresh Debian (bookworm or later) machine for gossl: the Jupyter
# tools from Debian's packages (there is no PyPI here), the browser for the
# display tests, and make. Go itself must already be installed.
# Idempotent: installs only what is missing, so it is cheap to run again.
set -euo pipefail

packages=(
  make
  python3-jupyter-client python3-nbclient python3-nbconvert python3-nbformat
  jupyter-notebook python3-zmq python3-ipykernel python3-jupyter-kernel-test
  python3-pytest python3-selenium chromium chromium-driver
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install/debian.sh: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

command -v go >/dev/null || { echo "install/debian.sh: Go is required (https://go.dev/dl/)" >&2; exit 1; }
