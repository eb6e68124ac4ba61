#!/usr/bin/env bash
# Depot's one entry point for a fresh Debian/Ubuntu machine.
#
#   ./bootstrap.sh app    install what is missing, build, and run the desktop app
#   ./bootstrap.sh test   install what is missing, then run every check and test
#
# Installs Debian packages only when missing (sudo when not root), npm packages
# with `npm ci`, tauri-driver into a cache folder, and builds the UI before any
# cargo command that compiles the Tauri shell (generate_context! embeds ui/dist).
# Build output goes to $CARGO_TARGET_DIR (default /var/tmp/depot-target) so repeat
# runs and fresh clones reuse it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/depot-target}
TOOLS_DIR=${DEPOT_TOOLS_DIR:-/var/tmp/depot-tools}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# A one-off build (CI, a fresh clone) gains nothing from incremental caches, which
# are the biggest part of a target folder (16 of 24 GB here): leave them out so
# the whole run fits on a small disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}; fi

BUILD_PACKAGES=(build-essential pkg-config curl file openssl libssl-dev libdbus-1-dev libwebkit2gtk-4.1-dev libxdo-dev librsvg2-dev)
# chromium: Debian's browser for the web UI tests (tests/web); nothing is downloaded.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver faketime xdotool chromium)

if [ -t 1 ]; then step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else step() { printf '\n==> %s\n' "$*"; }; fi
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get: see README for macOS/Windows"
  step "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_toolchain() {
  command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs), stable 1.95 or newer"
  command -v npm >/dev/null || die "npm not found: install Node.js 20 or newer"
}

ensure_ui() {
  step "UI dependencies (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  step "UI build (ui/dist)"
  (cd ui && npm run build --silent)
}

ensure_tauri_driver() {
  if [ ! -x "$TOOLS_DIR/bin/tauri-driver" ]; then
    step "Installing tauri-driver into $TOOLS_DIR"
    cargo install tauri-driver --version '^2' --locked --root "$TOOLS_DIR" --quiet
  fi
  export PATH="$TOOLS_DIR/bin:$PATH"
}

build_app() {
  step "Building the desktop app (cargo build -p depot-app)"
  cargo build -p depot-app
}

cmd_app() {
  ensure_toolchain
  ensure_apt "${BUILD_PACKAGES[@]}"
  ensure_ui
  build_app
  # Without a desktop session (no D-Bus, so no Secret Service keychain), keep the
  # workspace key in an owner-only file instead; the Settings page says so.
  if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${DEPOT_KEY_FILE:-}" ]; then
    export DEPOT_KEY_FILE="${XDG_DATA_HOME:-$HOME/.local/share}/app.depot.desktop.key"
    echo "No desktop keychain session: the workspace key is kept in $DEPOT_KEY_FILE"
  fi
  step "Starting Depot"
  exec "$CARGO_TARGET_DIR/debug/depot-app" "$@"
}

cmd_test() {
  ensure_toolchain
  ensure_apt "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  ensure_ui
  df -h "$CARGO_TARGET_DIR" 2>/dev/null || df -h /var/tmp || true

  step "Rust formatting (cargo fmt --check)"
  cargo fmt --all --check

  step "Clippy (-D warnings, whole workspace including the shell)"
  cargo clippy --workspace --all-targets --locked -- -D warnings

  step "Rust tests (unit + tests/it integration; regenerates ui/src/bindings)"
  cargo test --workspace --exclude depot-app --locked

  step "TypeScript bindings drift check"
  if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
    git status --short -- ui/src/bindings
    git --no-pager diff -- ui/src/bindings | head -50
    die "ui/src/bindings differs from the Rust DTOs: run 'cargo test -p depot-api' and commit the result"
  fi

  step "UI lint, typecheck, vitest (a year ahead, in UTC+14, in German: no test may depend on them)"
  (cd ui && npm run --silent lint && npm run --silent typecheck)
  (cd ui && FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=Pacific/Kiritimati LANG=de_DE.UTF-8 LC_ALL= \
    faketime -f +365d npm test --silent)

  step "Web UI in a real browser (depot serve + Debian's Chromium via playwright-core; in UTC+14, in German)"
  cargo build -p depot-cli --locked
  (cd tests/web && npm ci --no-audit --no-fund --loglevel=error)
  DEPOT_BINARY="$CARGO_TARGET_DIR/debug/depot" DEPOT_UI_DIR="$ROOT/ui/dist" CHROMIUM=/usr/bin/chromium \
    TZ=Pacific/Kiritimati LANG=de_DE.UTF-8 LC_ALL= \
    node --test --test-concurrency=1 --test-reporter=spec tests/web/*.test.mjs

  build_app
  ensure_tauri_driver
  # At most 45 minutes: a window left running would otherwise hold the
  # runner open until CI's own limit (tests/e2e/app.mjs ends every launch).
  step "Desktop smoke test (real window under Xvfb, tauri-driver + WebKitWebDriver)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  DEPOT_APP_BINARY="$CARGO_TARGET_DIR/debug/depot-app" DEPOT_BINARY="$CARGO_TARGET_DIR/debug/depot" \
    timeout --kill-after=30 2700 xvfb-run -a -s "-screen 0 1280x800x24" node --test --test-concurrency=1 --test-reporter=spec tests/e2e/smoke.test.mjs tests/e2e/tokens.test.mjs tests/e2e/profiles.test.mjs tests/e2e/devices.test.mjs tests/e2e/files.test.mjs tests/e2e/platforms.test.mjs tests/e2e/vpp.test.mjs tests/e2e/dashboard.test.mjs tests/e2e/organisation.test.mjs tests/e2e/server.test.mjs
}

case "${1:-}" in
  app) shift; cmd_app "$@" ;;
  test) shift; cmd_test "$@" ;;
  *) die "usage: ./bootstrap.sh app | test" ;;
esac
