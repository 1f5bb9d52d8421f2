#!/usr/bin/env bash
# Measures the demo district's pages with wrk (64 connections, 2 threads, 10 s each).
set -u
BASE=${BASE:-http://127.0.0.1:8080}  # a release `tongban serve --demo`
jar=/tmp/wrk.jar; rm -f $jar
csrf=$(curl -s -c $jar $BASE/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -b $jar -c $jar -o /dev/null -X POST -d "username=supervisor&password=supervisor-demo-2026&csrf=$csrf" $BASE/login
cookie=$(awk '$6 ~ /session|tongban/ {print $6"="$7}' $jar | tr '\n' ';')
echo "cookie: ${cookie:0:20}..."
code=$(curl -s "$BASE/api/v1/items?per_page=1" | python3 -c "import sys,json; print(json.load(sys.stdin)['items'][0]['code'])")
year=$(date +%Y)
for path in /healthz "/items/$code" /reviews /indicators/cases /api/v1/indicators/cases /api/v1/reviews/stats "/dashboard?period=$year" "/api/v1/dashboard?period=$year" "/dashboard/cases.on_time_legal?period=$year"; do
  h=()
  case $path in /dashboard*|/api/v1/dashboard*) h=(-H "Cookie: $cookie");; esac
  st=$(curl -s -o /dev/null -w "%{http_code}" "${h[@]}" "$BASE$path")
  out=$(wrk -t2 -c64 -d10s --latency "${h[@]}" "$BASE$path" 2>&1)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2=$(echo "$out" | awk '/Non-2xx/ {print $4}')
  printf "%-45s status %s  %10s req/s  p50 %8s  p99 %8s  non2xx %s\n" "$path" "$st" "$rps" "$p50" "$p99" "${non2:-0}"
done
