#!/usr/bin/env bash
# Builds the hearth server for this machine into bin/<platform>-<arch>/hearth,
# where `npm run package` bundles it into the .vsix (platform and arch named
# as Node names them, which is what the extension looks for at run time).
# Prints the binary's path as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
# go-nvml's headers mark some NVML calls deprecated; silence that here
# rather than patching the module.
export CGO_ENABLED=1
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -Wno-deprecated-declarations}"
plat=$(node -p 'process.platform + "-" + process.arch')
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
mkdir -p "bin/$plat"
go build -trimpath -ldflags "-s -w -X main.version=$version" -o "bin/$plat/hearth" ./cmd/hearth
echo "bin/$plat/hearth"
