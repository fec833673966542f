#!/usr/bin/env bash
# Runs every fuzz target of the module, one after the other, each for a
# while, and prints how many inputs each executed.
#
#   scripts/fuzz.sh [DURATION] [PACKAGE...]
#
# DURATION is a Go duration per target (default 60s, or $FUZZTIME);
# PACKAGE narrows the run (default ./...). FUZZ_PARALLEL sets the fuzzing
# workers per target (default 1, so the machine stays usable). The seeds
# are small and minimisation is capped at 5 s, so each target spends its
# time on new inputs. A failing input is saved under the package's
# testdata/fuzz/ by go test; the script prints the failure and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-${FUZZTIME:-60s}}
[ $# -gt 0 ] && shift
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=(./...)
module=$(go list -m)
status=0
printf '%-28s %-22s %12s  %s\n' PACKAGE TARGET EXECUTIONS RESULT
for pkg in $(go list "${pkgs[@]}"); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    log=$(mktemp)
    result=ok
    if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" -fuzzminimizetime 5s \
      -parallel "${FUZZ_PARALLEL:-1}" >"$log" 2>&1; then
      result=FAIL
      status=1
    fi
    execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
    printf '%-28s %-22s %12s  %s\n' "${pkg#"$module"/}" "$target" "${execs:-?}" "$result"
    if [ "$result" = FAIL ]; then
      sed 's/^/    /' "$log" | tail -40
    fi
    rm -f "$log"
  done
done
exit $status
