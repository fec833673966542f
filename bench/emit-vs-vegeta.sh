#!/usr/bin/env bash
# orderhooks against vegeta, side by side in one run, on one machine, to the
# same discard receiver (bench/discard, on 127.0.0.1) at the same
# concurrency:
#
#   vegeta attack      one fixed body, of the mean size of a sealed Phasio
#                      delivery, with the same headers
#   emit               generates, encrypts and signs a fresh order each time
#   replay --exact     sends the bytes of a recording of such a run again
#   emit --validate    emit, each payload validated against its schema first
#
# Each tool runs ROUNDS times, interleaved, so a change in the machine's load
# hits them alike; the rate of a run is the requests the receiver answered
# divided by the run's wall time. It prints every run, then the medians and
# the three ratios to vegeta: of the rates, and of the CPU time each request
# cost the sender and the receiver together (the ratio of rates on an
# otherwise idle machine, where the two cores are the limit; on a shared
# machine the rates move with the load and the CPU time much less). Installs vegeta with `go install` (into a
# scratch directory). docs/benchmarks.md has the numbers and what explains
# them.
#
#   bench/emit-vs-vegeta.sh                  # concurrency 8, 3 rounds of ~10 s
#   CONCURRENCY=32 ROUNDS=5 SECONDS_PER_RUN=20 bench/emit-vs-vegeta.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VEGETA_VERSION=v12.13.0
CONCURRENCY=${CONCURRENCY:-8}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}

work=$(mktemp -d)
sink=
cleanup() {
  if [ -n "$sink" ]; then kill "$sink" 2>/dev/null || true; wait "$sink" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "installing vegeta $VEGETA_VERSION and building orderhooks and the discard receiver"
GOBIN="$work/bin" go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
go build -o "$work/bin/orderhooks" ./cmd/orderhooks
go build -o "$work/bin/discard" ./bench/discard
oh="$work/bin/orderhooks"
vegeta="$work/bin/vegeta"

"$work/bin/discard" >"$work/sink.out" &
sink=$!
for _ in $(seq 50); do [ -s "$work/sink.out" ] && break; sleep 0.1; done
url=$(head -1 "$work/sink.out")
case "$url" in http://127.0.0.1:*) ;; *) echo "the discard receiver did not start" >&2; exit 1 ;; esac

# counts prints "REQUESTS BYTES" answered by the receiver so far.
counts() {
  local before
  before=$(wc -l <"$work/sink.out")
  kill -USR1 "$sink"
  for _ in $(seq 100); do [ "$(wc -l <"$work/sink.out")" -gt "$before" ] && break; sleep 0.01; done
  tail -1 "$work/sink.out" | awk '{print $2, $4}'
}
now() { date +%s.%N; }

BENCH_SECRET=$("$oh" secret new --provider phasio)
export BENCH_SECRET
send=(--provider phasio --url "$url/" --secret env:BENCH_SECRET --concurrency "$CONCURRENCY")

# Calibration: how many orders make a run of SECONDS_PER_RUN, then a
# recording of a run that size (replay --exact sends it again) and the mean
# body size of what emit sends.
t0=$(now); "$oh" emit "${send[@]}" --orders 20000 >/dev/null; t1=$(now)
orders=$(awk -v t="$(echo "$t1 - $t0" | bc)" -v s="$SECONDS_PER_RUN" 'BEGIN { n = int(20000 / t * s); print (n < 20000 ? 20000 : n) }')
read -r r0 b0 < <(counts)
"$oh" emit "${send[@]}" --orders "$orders" --record "$work/sent.jsonl" >/dev/null
read -r r1 b1 < <(counts)
mean=$(( (b1 - b0) / (r1 - r0) ))
echo "receiver $url; concurrency $CONCURRENCY; $orders orders a run; mean sealed Phasio body $mean bytes"

# vegeta's target: the headers of a sealed Phasio delivery and a body of
# the mean size (a real sealed body, repeated and cut to size).
"$oh" generate --provider phasio --orders 1 --out "$work/one.jsonl"
sed -n 's/.*"payload":\(.*\)}$/\1/p' "$work/one.jsonl" >"$work/payload.json"
"$oh" sign --provider phasio --secret env:BENCH_SECRET "$work/payload.json" >"$work/signed.http"
sed '1,/^\r\{0,1\}$/d' "$work/signed.http" >"$work/body.one"
: >"$work/body.long"
while [ "$(wc -c <"$work/body.long")" -lt "$mean" ]; do cat "$work/body.one" >>"$work/body.long"; done
head -c "$mean" "$work/body.long" >"$work/body"
sig=$(grep -i '^X-Phasio-Signature:' "$work/signed.http" | tr -d '\r')
printf 'POST %s/\nContent-Type: application/json\nUser-Agent: orderhooks\n%s\n@%s\n' "$url" "$sig" "$work/body" >"$work/targets.http"

# sinkcpu prints the receiver's CPU seconds so far (user + system).
sinkcpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$sink/stat"; }

# run NAME COMMAND...: one timed run; prints its rate and the CPU time per
# request of the sender and of the receiver, and records them.
declare -A rates cpus
run() {
  local name=$1 r0 r1 t0 t1 c0 c1 rate n sender receiver
  shift
  read -r r0 _ < <(counts)
  c0=$(sinkcpu)
  t0=$(now)
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null
  t1=$(now)
  c1=$(sinkcpu)
  read -r r1 _ < <(counts)
  n=$((r1 - r0))
  rate=$(echo "$n / ($t1 - $t0)" | bc -l)
  sender=$(awk -v n="$n" '{ print ($1 + $2) / n * 1e6 }' "$work/time")
  receiver=$(echo "($c1 - $c0) / $n * 1000000" | bc -l)
  rates[$name]="${rates[$name]:-} $rate"
  cpus[$name]="${cpus[$name]:-} $(echo "$sender + $receiver" | bc -l)"
  printf '  %-16s %9d requests in %6.2f s: %8.0f/s; CPU per request: sender %5.1f µs, receiver %5.1f µs\n' \
    "$name" "$n" "$(echo "$t1 - $t0" | bc)" "$rate" "$sender" "$receiver"
}

for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  run vegeta "$vegeta" attack -format http -targets "$work/targets.http" -rate 0 -workers "$CONCURRENCY" \
    -max-workers "$CONCURRENCY" -duration "${SECONDS_PER_RUN}s" -timeout 10s -output "$work/vegeta.bin"
  run emit "$oh" emit "${send[@]}" --orders "$orders"
  run replay-exact "$oh" replay "$work/sent.jsonl" --exact "${send[@]}"
  run emit-validate "$oh" emit "${send[@]}" --orders "$orders" --validate
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
v=$(echo "${rates[vegeta]}" | median)
vc=$(echo "${cpus[vegeta]}" | median)
echo "medians of $ROUNDS rounds, concurrency $CONCURRENCY, $(nproc) cores, load average now $(cut -d' ' -f1-3 /proc/loadavg):"
echo "  (by CPU: vegeta's sender and receiver CPU per request over the tool's, the ratio"
echo "   of rates on an otherwise idle machine where the cores are the limit)"
printf '  %-16s %8.0f requests/s  %6.1f µs CPU per request\n' vegeta "$v" "$vc"
for name in emit replay-exact emit-validate; do
  m=$(echo "${rates[$name]}" | median)
  c=$(echo "${cpus[$name]}" | median)
  printf '  %-16s %8.0f requests/s  %6.1f µs CPU per request   %s/vegeta %.2f (by CPU %.2f)\n' \
    "$name" "$m" "$c" "$name" "$(echo "$m / $v" | bc -l)" "$(echo "$vc / $c" | bc -l)"
done
