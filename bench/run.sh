#!/usr/bin/env bash
# The benchmark: ./bench/run.sh [seconds per wrk run, default 10] [parts: ingest,delivery,memory (default all)]
# Builds the bridge's jar and the yardstick, starts a throwaway PostgreSQL on 127.0.0.1:55432, runs every
# case (about 20 minutes with the default 10 s on 2 cores), prints one table and writes bench/results/results.md and
# bench/results/bench.png. Needs wrk and PostgreSQL (Debian packages wrk, postgresql: installed if missing,
# when run as root). Load goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v wrk >/dev/null || need+=(wrk)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "bench/run.sh needs: ${need[*]} (Debian: sudo apt-get install ${need[*]})" >&2; exit 1
  fi
fi
./mvnw -q -DskipTests package
./mvnw -q -f bench/pom.xml package
mkdir -p bench/results
rm -f bench/results/*.log
java -Dbench.seconds="${1:-10}" -Dbench.cases="${2:-ingest,delivery,memory}" -Dbench.root="$PWD" -Dloader.main=io.github.imcallbackbridge.bench.BenchmarkRun \
  -jar bench/target/im-callback-bridge-bench.jar
