#!/usr/bin/env bash
# Builds JupyterLab 3.6's front end for the browser tests into build/ from
# the versions pinned in package-lock.json. Does nothing when build/ is newer
# than every input, so tests and `make` can call it each time.
set -euo pipefail
cd "$(dirname "$0")"

inputs=(package.json package-lock.json index.js webpack.config.js)
stamp=build/.built
if [ -f "$stamp" ] && [ -d node_modules ]; then
  fresh=1
  for f in "${inputs[@]}"; do [ "$f" -nt "$stamp" ] && fresh=0; done
  [ "$fresh" = 1 ] && exit 0
fi

command -v npm >/dev/null || { echo "jupyterlab/build.sh: npm is required (install/debian.sh installs it)" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # --ignore-scripts: nothing of the ~330 packages runs at install time.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
rm -rf build
npx --no-install webpack --no-stats
touch "$stamp"
