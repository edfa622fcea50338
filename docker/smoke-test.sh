#!/bin/sh
# Checks a running Visiona stack from the outside, through its one entry point:
#   docker compose up --build -d && docker/smoke-test.sh [http://localhost:8080]
# Needs only curl. Exits non-zero on the first failed check.
set -eu

BASE="${1:-http://localhost:${WEB_PORT:-8080}}"
BASE="${BASE%/}"
failures=0

pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1" >&2; failures=$((failures + 1)); }

# expect_status PATH CODE
expect_status() {
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$1") || code=000
  if [ "$code" = "$2" ]; then pass "GET $1 -> $code"; else fail "GET $1 -> $code, expected $2"; fi
}

# expect_header PATH HEADER VALUE-SUBSTRING
expect_header() {
  value=$(curl -s -o /dev/null -D - "$BASE$1" | tr -d '\r' | grep -i "^$2:" | head -n 1 | cut -d' ' -f2-) || value=
  case "$value" in
    *"$3"*) pass "GET $1 has $2: $3" ;;
    *) fail "GET $1: $2 is '$value', expected it to contain '$3'" ;;
  esac
}

# expect_body PATH SUBSTRING
expect_body() {
  body=$(curl -s "$BASE$1") || body=
  case "$body" in
    *"$2"*) pass "GET $1 body contains $2" ;;
    *) fail "GET $1 body does not contain $2" ;;
  esac
}

# The web container itself
expect_status /healthz 200

# The SPA: entry document, client-side routes, hashed assets
expect_status / 200
expect_header / Cache-Control no-cache
expect_header / Content-Security-Policy "default-src 'self'"
expect_header / X-Content-Type-Options nosniff
expect_header / X-Frame-Options DENY
expect_header / Referrer-Policy strict-origin-when-cross-origin
expect_status /gallery 200
expect_body /gallery '<div id="root">'
expect_header /gallery Cache-Control no-cache
asset=$(curl -s "$BASE/" | grep -o '/assets/[^"]*\.js' | head -n 1) || asset=
if [ -n "$asset" ]; then
  expect_status "$asset" 200
  expect_header "$asset" Cache-Control immutable
else
  fail "no /assets/*.js referenced by index.html"
fi
expect_status /assets/does-not-exist.js 404

# The API, through the proxy
expect_status /livez 200
expect_status /readyz 200
expect_body /readyz '"status":"ok"'
expect_status /api/v1/config 200
expect_header /api/v1/config Content-Type application/json
expect_status /api/no-such-route 404
expect_body /api/no-such-route '"requestId"'

if [ "$failures" -gt 0 ]; then
  printf '%s check(s) failed against %s\n' "$failures" "$BASE" >&2
  exit 1
fi
printf 'all checks passed against %s\n' "$BASE"
