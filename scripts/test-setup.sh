#!/usr/bin/env bash
# What the test suite needs from the system, checked (and with --install, installed with apt when we may).
#   bash scripts/test-setup.sh --check     exit 1 with the exact packages and command when something is missing
#   bash scripts/test-setup.sh --install   install what is missing (root, or sudo without a password), else as --check
# Other setups: FFMPEG_PATH / FFPROBE_PATH and CHROMIUM_PATH point at binaries elsewhere; POSTGRES_BIN at the folder
# of PostgreSQL's initdb and pg_ctl, or DAILIES_TEST_DATABASE_URL at a running server (then none is started).
set -uo pipefail

mode="${1:---check}"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

runs() { [ -n "$1" ] && { [ -x "$1" ] || command -v "$1" >/dev/null 2>&1; }; }

# The PostgreSQL tests start a throwaway cluster from the server binaries (Debian: /usr/lib/postgresql/<ver>/bin).
postgres_found() {
  [ -n "${DAILIES_TEST_DATABASE_URL:-}" ] && return 0
  if [ -n "${POSTGRES_BIN:-}" ]; then [ -x "$POSTGRES_BIN/initdb" ] && [ -x "$POSTGRES_BIN/pg_ctl" ]; return; fi
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && return 0; done
  return 1
}

missing_packages() {
  local need=()
  runs "${FFMPEG_PATH:-ffmpeg}" && runs "${FFPROBE_PATH:-ffprobe}" || need+=(ffmpeg)
  if [ -n "${CHROMIUM_PATH:-}" ]; then runs "$CHROMIUM_PATH" || need+=(chromium)
  else [ -x /usr/bin/chromium ] || need+=(chromium); fi
  [ -f "$font" ] || need+=(fonts-dejavu-core)
  postgres_found || need+=(postgresql)
  echo "${need[*]}"
}

explain() {
  cat >&2 <<MSG
The tests need system packages that are missing: $1
Install them (Debian/Ubuntu):
  sudo apt-get update && sudo apt-get install -y $1
or run the one-line setup from the README, which installs them when it can:
  npm run test:setup && pnpm install --frozen-lockfile && pnpm test
Binaries elsewhere: set FFMPEG_PATH and FFPROBE_PATH (ffmpeg) or CHROMIUM_PATH (Chromium or Chrome for Testing),
POSTGRES_BIN (the folder of PostgreSQL's initdb and pg_ctl) or DAILIES_TEST_DATABASE_URL (a PostgreSQL server to use).
MSG
}

need="$(missing_packages)"
if [ "$mode" = "--install" ]; then
  if [ -n "$need" ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo="none"; fi
    fi
    if [ "$sudo" = "none" ] || ! command -v apt-get >/dev/null 2>&1; then
      explain "$need"
      exit 1
    fi
    echo "test setup: installing $need with apt-get" >&2
    # shellcheck disable=SC2086 # $need is a list of package names
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null || {
      explain "$need"
      exit 1
    }
    need="$(missing_packages)"
  fi
  if ! command -v pnpm >/dev/null 2>&1; then
    echo "test setup: installing pnpm 10.34.9 with npm" >&2
    npm install -g pnpm@10.34.9 >/dev/null || {
      echo "Could not install pnpm: run 'npm install -g pnpm@10.34.9' (with sudo if npm needs it)." >&2
      exit 1
    }
  fi
fi

if [ -n "$need" ]; then
  explain "$need"
  exit 1
fi
[ "$mode" = "--install" ] && echo "test setup: ffmpeg, Chromium, fonts and PostgreSQL are present" >&2
exit 0
