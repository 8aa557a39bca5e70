#!/usr/bin/env bash
# Installs what the VS Code harness (tests/vscode) needs, once: it does nothing when all is there.
#  - Debian's chromium (the browser playwright-core drives) and ripgrep (VS Code's file search)
#  - `npm ci` of code-server 4.100.3 and playwright-core 1.64.1 into tests/vscode/node_modules,
#    with every install script skipped (--ignore-scripts), and then, by hand, only the steps that
#    code-server needs to run offline:
#      code-server's postinstall (npm install of lib/vscode and lib/vscode/extensions, symlinks),
#        with the nested installs' scripts skipped too;
#      native modules built from source with node-gyp against the local node headers:
#        argon2 (code-server loads it at startup), node-pty (integrated terminal),
#        @vscode/spdlog (server and extension host logs), native-watchdog (extension host);
#      @vscode/ripgrep's postinstall, fed a cache archive made from Debian's /usr/bin/rg instead
#        of its GitHub download.
# Skipped on purpose: kerberos (proxy Kerberos auth only; needs libkrb5-dev), @vscode/deviceid
# (telemetry id), @vscode/windows-* (Windows only); @parcel/watcher ships a prebuilt binary.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
CS=node_modules/code-server
VS=$CS/lib/vscode
STAMP=node_modules/.flowscript-vscode-harness

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  echo "installing $* (Debian)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
[ -x /usr/bin/chromium ] || apt_install chromium
[ -x /usr/bin/rg ] || apt_install ripgrep

# the stamp names the lock file's and this script's contents: a change of either reinstalls
want_stamp="$(cat package-lock.json install.sh | sha256sum | cut -d' ' -f1)"
ready() {
  [ "$(cat "$STAMP" 2>/dev/null)" = "$want_stamp" ] &&
    [ -f $CS/out/node/entry.js ] &&
    [ -f node_modules/playwright-core/package.json ] &&
    [ -f node_modules/argon2/lib/binding/napi-v3/argon2.node ] &&
    [ -f $VS/node_modules/node-pty/build/Release/pty.node ] &&
    [ -f $VS/node_modules/@vscode/spdlog/build/Release/spdlog.node ] &&
    [ -f $VS/node_modules/native-watchdog/build/Release/watchdog.node ] &&
    [ -x $VS/node_modules/@vscode/ripgrep/bin/rg ] &&
    [ -L $VS/node_modules.asar ] &&
    [ -f $VS/extensions/node_modules/typescript/lib/tsserver.js ]
}
if ready; then
  echo "vscode harness: ready (code-server $(node -p "require('./$CS/package.json').version"), chromium, ripgrep)"
  exit 0
fi

case "$(node -p 'process.versions.node.split(".")[0]')" in
  20) ;;
  *) echo "code-server 4.100.3 needs Node 20; this is $(node --version)" >&2; exit 1 ;;
esac

# node-gyp: the one npm bundles; headers: npm's nodedir, else the distribution's /usr/include/node
# (node-gyp would download them otherwise, and the network has no nodejs.org)
npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
node_gyp="$npm_dir/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || node_gyp="$(command -v node-gyp || true)"
if [ -z "$node_gyp" ]; then echo "node-gyp not found (it comes with npm)" >&2; exit 1; fi
nodedir="$(npm config get nodedir 2>/dev/null || true)"
if [ -z "$nodedir" ] || [ "$nodedir" = undefined ] || [ "$nodedir" = null ]; then
  nodedir=""
  [ -f /usr/include/node/node.h ] && nodedir=/usr
fi
gyp_args=()
[ -n "$nodedir" ] && gyp_args+=("--nodedir=$nodedir")
if ! command -v make >/dev/null || ! command -v g++ >/dev/null; then apt_install build-essential; fi
if ! command -v python3 >/dev/null; then apt_install python3; fi

echo "installing code-server and playwright-core into tests/vscode (npm ci, install scripts skipped)"
rm -f "$STAMP"
npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error

echo "code-server's postinstall: lib/vscode and lib/vscode/extensions modules (their scripts skipped)"
(
  cd $CS
  # postinstall.sh reads the node version and npm from the user agent, and as root wants
  # npm_config_unsafe_perm; npm_config_ignore_scripts reaches its nested `npm install`s
  env npm_config_user_agent="npm/$(npm --version) node/$(node --version) linux x64" \
    npm_config_unsafe_perm=true npm_config_ignore_scripts=true npm_config_audit=false \
    npm_config_fund=false npm_config_prefer_offline=true npm_config_loglevel=error \
    sh ./postinstall.sh >"$HERE/node_modules/.code-server-postinstall.log" 2>&1
) && [ -L $VS/node_modules.asar ] && [ -d $VS/node_modules/node-pty ] &&
  [ -d $VS/extensions/node_modules/typescript ] || {
  cat node_modules/.code-server-postinstall.log >&2
  echo "code-server's postinstall failed (log above)" >&2
  exit 1
}
# the extensions' own postinstall (skipped with the scripts): trims typescript to what VS Code uses
(cd $VS/extensions && node ./postinstall.mjs >/dev/null)

build() { # dir, what
  echo "building $2 ($1)"
  (cd "$1" && node "$node_gyp" rebuild "${gyp_args[@]}" >"$HERE/node_modules/.build-$(basename "$1").log" 2>&1) || {
    tail -40 "$HERE/node_modules/.build-$(basename "$1").log" >&2
    echo "building $1 failed (log: tests/vscode/node_modules/.build-$(basename "$1").log)" >&2
    exit 1
  }
}
echo "building argon2 (code-server loads it at startup)"
(
  cd node_modules/argon2
  # node-pre-gyp rebuild compiles without trying its GitHub download first
  env npm_config_node_gyp="$node_gyp" ../.bin/node-pre-gyp rebuild "${gyp_args[@]}" >"$HERE/node_modules/.build-argon2.log" 2>&1
) || { tail -40 node_modules/.build-argon2.log >&2; echo "building argon2 failed" >&2; exit 1; }
build $VS/node_modules/node-pty "node-pty (integrated terminal)"
build $VS/node_modules/native-watchdog "native-watchdog (extension host)"
build $VS/node_modules/@vscode/spdlog "@vscode/spdlog (logs)"

echo "ripgrep: @vscode/ripgrep's postinstall from a cache archive of /usr/bin/rg"
(
  cd $VS/node_modules/@vscode/ripgrep
  # lib/download.js looks for os.tmpdir()/vscode-ripgrep-cache-<package version>/
  # ripgrep-<VERSION of lib/postinstall.js>-<target>.tar.gz before it downloads anything
  cache="$(node -p "require('path').join(require('os').tmpdir(), 'vscode-ripgrep-cache-' + require('./package.json').version)")"
  version="$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" lib/postinstall.js)"
  case "$(node -p process.arch)" in
    x64) target=x86_64-unknown-linux-musl ;;
    arm64) target=aarch64-unknown-linux-musl ;;
    *) echo "no ripgrep target for $(node -p process.arch)" >&2; exit 1 ;;
  esac
  [ -n "$version" ] || { echo "no VERSION in @vscode/ripgrep/lib/postinstall.js" >&2; exit 1; }
  archive="$cache/ripgrep-$version-$target.tar.gz"
  if [ ! -s "$archive" ]; then
    mkdir -p "$cache"
    tmp="$(mktemp -d)"
    cp /usr/bin/rg "$tmp/rg"
    tar czf "$archive.part" -C "$tmp" rg && mv "$archive.part" "$archive"
    rm -rf "$tmp"
  fi
  [ -x bin/rg ] || rm -rf bin # its postinstall stops at an existing bin/
  node lib/postinstall.js >/dev/null
  # Not `| head -1`: under pipefail, rg's write into a closed pipe ("broken pipe") fails the script.
  version="$(bin/rg --version)"
  echo "${version%%$'\n'*}"
)

echo "checking that the native modules load"
node --input-type=module -e "
import { createRequire } from 'node:module';
const req = createRequire('$HERE/$VS/package.json');
req('node-pty'); req('@vscode/spdlog'); req('native-watchdog'); req('@parcel/watcher');
createRequire('$HERE/package.json')('argon2');
"
echo "$want_stamp" >"$STAMP"
echo "vscode harness: installed (code-server $(node -p "require('./$CS/package.json').version"), $(/usr/bin/chromium --version 2>/dev/null | head -1), $(rg --version | head -1))"
