#!/usr/bin/env bash
# Sets up a fresh Debian (bookworm or later) machine for gossl: the Jupyter
# tools from Debian's packages (there is no PyPI here), the browser for the
# display tests, make, and what sslkit trains and is tested with. Go itself
# must already be installed.
# Idempotent: installs only what is missing, so it is cheap to run again.
set -euo pipefail

packages=(
  make
  python3-jupyter-client python3-nbclient python3-nbconvert python3-nbformat
  jupyter-notebook python3-zmq python3-ipykernel python3-jupyter-kernel-test
  python3-pytest python3-selenium chromium chromium-driver
  # JupyterLab 3.6 for the browser tests: Debian's server side; its front
  # end is built from npm (tests/e2e/jupyterlab/build.sh).
  python3-jupyter-server python3-jupyterlab-server
  # sslkit: the Fashion-MNIST images the tutorial trains on, OpenBLAS for
  # the fast matrix multiplies (loaded at run time; pure Go without it),
  # and PyTorch, which the checkpoint tests use to write real state dicts.
  dataset-fashion-mnist libopenblas0-pthread python3-torch python3-torchvision
)

# npm builds that front end; a Node.js already installed (NodeSource's
# nodejs bundles npm and conflicts with Debian's npm package) is kept.
command -v npm >/dev/null || packages+=(nodejs npm)

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
