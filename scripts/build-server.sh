#!/usr/bin/env bash
# Builds the hearth server for this machine into bin/<platform>-<arch>/hearth,
# where `npm run package` bundles it into the .vsix (platform and arch named
# as Node names them, which is what the extension looks for at run time).
set -euo pipefail
cd "$(dirname "$0")/.."
plat=$(node -p 'process.platform + "-" + process.arch')
mkdir -p "bin/$plat"
go build -trimpath -o "bin/$plat/hearth" ./cmd/hearth
echo "built bin/$plat/hearth"
