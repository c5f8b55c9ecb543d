#!/usr/bin/env bash
# 签名请求示例（curl + openssl）/ A signed request with curl and openssl.
# Usage: signed_request.sh BASE_URL KEY_ID SECRET      e.g. http://127.0.0.1:8080 HY… …
set -euo pipefail
base=$1 key_id=$2 secret=$3
method=POST path=/api/v1/messages query=""
body='{"to":["13800138000"],"content":"您的申报已受理","category":"notification"}'
timestamp=$(date +%s)
nonce=$(openssl rand -hex 16)
body_hash=$(printf '%s' "$body" | openssl dgst -sha256 -hex | awk '{print $NF}')
# signing key = SHA-256(secret), as 64 hex digits for openssl's hexkey
signing_key=$(printf '%s' "$secret" | openssl dgst -sha256 -hex | awk '{print $NF}')
string_to_sign=$(printf '%s\n%s\n%s\n%s\n%s\n%s' "$method" "$path" "$query" "$timestamp" "$nonce" "$body_hash")
signature=$(printf '%s' "$string_to_sign" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$signing_key" -hex | awk '{print $NF}')
curl -sS -X "$method" "$base$path" \
  -H "Authorization: HY1-HMAC-SHA256 Key=$key_id, Timestamp=$timestamp, Nonce=$nonce, Signature=$signature" \
  -H 'Content-Type: application/json' \
  --data-binary "$body"
echo
