#!/bin/sh
# Checks a running Visiona stack from the outside, through its one entry point:
#   docker compose up --build -d && docker/smoke-test.sh [http://localhost:8080]
#   docker compose --profile emulators up --build -d && docker/smoke-test.sh --upload
# --upload also signs up a throwaway account, uploads one small photo through
# POST /api/v1/photos, lists it, loads its thumbnail from Storage through its
# signed URL, and deletes it: Storage end to end. It writes to whatever Storage
# the API uses, so keep it to the emulators profile or a staging stack.
# Needs only curl (and base64 for --upload). Exits non-zero if any check failed.
set -eu

UPLOAD=no
if [ "${1:-}" = "--upload" ]; then
  UPLOAD=yes
  shift
fi
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

# Storage end to end (--upload)
# json_field NAME: the value of "NAME":"value" in the JSON on stdin (a key that appears
# once in the answers read here).
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -n 1; }

# Each request may take up to 150 s (nginx allows uploads 300 s), so that a
# stuck Storage fails the check instead of hanging it.
upload_checks() {
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  email="smoke-$(date +%s)-$$@example.com"
  code=$(curl -s -m 150 -o "$tmp/signup.json" -w '%{http_code}' -X POST "$BASE/api/v1/auth/signup" \
    -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"smoke-test-$(date +%s)-password\"}") || code=000
  token=$(json_field token < "$tmp/signup.json")
  if [ "$code" = 201 ] && [ -n "$token" ]; then pass "POST /api/v1/auth/signup -> 201"; else fail "POST /api/v1/auth/signup -> $code"; return; fi

  # A 64 x 64 JPEG: accepted, with "too small" and "blurry" warnings.
  printf '%s' '/9j/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCABAAEADASIAAhEBAxEB/8QAFwABAQEBAAAAAAAAAAAAAAAABAMGB//EABcQAAMBAAAAAAAAAAAAAAAAAAACA2H/xAAYAQEBAQEBAAAAAAAAAAAAAAAEBQcDBv/EABYRAQEBAAAAAAAAAAAAAAAAAAMAAv/aAAwDAQACEQMRAD8A5ckcEJHC6RwQkcPT6S4g0dI4ISOCEjhdI4H0lZBqCRwukcEJHC6RwNpK0DUEjghI4XSOCEjgbSVkGswkcEJHC6RwQkcE6Sx0GoJHC6RwQkcLpHA+krQNQSOCEjhdI4ISOBtJWQaOkcEJHC6RwQkcDaStA1mEjghI4XSOCEjgnSWOg1BI4XSOCEjhdI4H0lZBqCRwQkcLpHBCRwNpK0DR0jghI4XSOCEjgbSVoGswkcEJHC6RwQkcE6SxwGoJHC6RwQkcLpHA+krQNQSOCEjhdI4ISOBtJWQaOkcEJHC6RwQkcDaStA1//9k=' \
    | { base64 -d 2>/dev/null || base64 -D; } > "$tmp/smoke.jpg"
  code=$(curl -s -m 150 -o "$tmp/upload.json" -w '%{http_code}' -X POST "$BASE/api/v1/photos" \
    -H "Authorization: Bearer $token" -F "files=@$tmp/smoke.jpg;type=image/jpeg;filename=smoke.jpg") || code=000
  id=$(json_field id < "$tmp/upload.json")
  if [ "$code" = 201 ] && [ -n "$id" ]; then pass "POST /api/v1/photos -> 201"; else fail "POST /api/v1/photos -> $code: $(head -c 300 "$tmp/upload.json")"; return; fi

  code=$(curl -s -m 150 -o "$tmp/list.json" -w '%{http_code}' "$BASE/api/v1/photos" -H "Authorization: Bearer $token") || code=000
  if [ "$code" = 200 ] && grep -q "\"id\":\"$id\"" "$tmp/list.json"; then pass "GET /api/v1/photos lists it"; else fail "GET /api/v1/photos -> $code, without the uploaded photo"; fi

  thumb=$(json_field thumbnailUrl < "$tmp/list.json")
  ctype=$(curl -s -m 150 -o /dev/null -w '%{http_code} %{content_type}' "$thumb") || ctype=000
  case "$ctype" in
    "200 image/"*) pass "thumbnail through its signed URL -> $ctype" ;;
    *) fail "thumbnail ${thumb%%\?*} -> $ctype (is its host reachable from here?)" ;;
  esac

  code=$(curl -s -m 150 -o /dev/null -w '%{http_code}' -X DELETE "$BASE/api/v1/photos/$id" -H "Authorization: Bearer $token") || code=000
  if [ "$code" = 204 ]; then pass "DELETE /api/v1/photos/{id} -> 204"; else fail "DELETE /api/v1/photos/{id} -> $code"; fi
}
if [ "$UPLOAD" = yes ]; then upload_checks; fi

if [ "$failures" -gt 0 ]; then
  printf '%s check(s) failed against %s\n' "$failures" "$BASE" >&2
  exit 1
fi
printf 'all checks passed against %s\n' "$BASE"
