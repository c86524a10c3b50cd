#!/usr/bin/env bash
# Run ADL's lrs-conformance-test-suite against a fresh `lrs serve`.
#
#   scripts/conformance.sh /path/to/lrs-conformance-test-suite [1.0.3|2.0.0] [extra runner args]
#
# The suite is third-party code: check it out and `npm install` it outside
# this repository. Each run uses a new store in a temporary directory, since
# the suite never deletes what it writes.
set -euo pipefail
suite=${1:?path to lrs-conformance-test-suite}
version=${2:-1.0.3}
shift $(( $# >= 2 ? 2 : $# ))
here=$(cd "$(dirname "$0")/.." && pwd)
lrs="$here/.venv/bin/lrs"
port=${LRS_CONFORMANCE_PORT:-18080}
data=$(mktemp -d)
export LRS_DATA_DIR="$data"
# The suite expects a request without a version header to be answered with
# the version under test, so the server serves only that version for the run.
export LRS_XAPI_VERSIONS="$version"
unset LRS_DATABASE_URL
creds=$("$lrs" credentials create --name conformance --scopes all --json)
key=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$creds")
secret=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["secret"])' "$creds")
"$lrs" serve --port "$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 150); do
  curl -sf "http://127.0.0.1:$port/xapi/about" >/dev/null && break
  sleep 0.2
done
cd "$suite"
node bin/console_runner.js -e "http://127.0.0.1:$port/xapi" -x "$version" -a -u "$key" -p "$secret" "$@"
