#!/usr/bin/env bash
# Fills an empty demo store with the product document's examples, through
# the API, so that `make run` shows a living page.  Does nothing when the
# store already has components.
set -eu

base=${1:-http://127.0.0.1:8080}
token=$2

api() {
    curl -fsS -X "$1" -H "Authorization: Bearer $token" \
         -H 'Content-Type: application/json' -d "$3" "$base/api/v1/$2" \
         -o /dev/null
}

for i in $(seq 1 50); do
    curl -fsS -o /dev/null "$base/api/v1/status" 2>/dev/null && break
    sleep 0.1
done

if curl -fsS "$base/api/v1/components" | grep -q '"id"'; then
    exit 0
fi

api POST components '{"name": "API", "description": "Public REST API"}'
api POST components '{"name": "Dashboard"}'
api POST components '{"name": "Website"}'
api POST components '{"name": "Infrastructure"}'
api POST components '{"name": "Database", "groupId": 4}'
api POST components '{"name": "Email delivery", "groupId": 4}'

started=$(date -u -d '45 minutes ago' +%Y-%m-%dT%H:%M:%SZ)
api POST incidents "{\"title\": \"Elevated API error rates\",
    \"status\": \"investigating\", \"impact\": \"minor\",
    \"startedAt\": \"$started\", \"componentIds\": [1],
    \"message\": \"We are investigating elevated error rates on the API.\"}"
api POST incidents/1/updates '{"status": "resolved", "message":
    "This incident has been resolved. The issue was caused by a database connection pool exhaustion during a traffic spike.\n\nWe have increased the pool size and added better connection handling to prevent this in the future.\n\n**Impact:** API and Dashboard were unavailable.\n\nWe apologize for any inconvenience caused."}'

api POST incidents '{"title": "Database connectivity issues",
    "status": "investigating", "impact": "major",
    "message": "We are investigating reports of database issues.",
    "componentIds": [1, 2]}'
api POST incidents/2/updates '{"status": "identified", "message":
    "We have identified the root cause as a database connection pool exhaustion issue. Our team is working on implementing a fix. We expect to deploy the fix within the next 30 minutes.\n\nAffected services: API, Dashboard"}'

echo "demo data loaded: $base/"
