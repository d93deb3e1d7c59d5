#!/usr/bin/env bash
# The README's worked example: every command it quotes, run in order, with the full
# output of each written to DIR/<n>-<name>.txt (default: worked-example/).
#
#   uv run allyscope data fetch --mirror ../shared/data && uv run allyscope data build
#   bash scripts/worked_example.sh [DIR]
set -euo pipefail
out="${1:-worked-example}"
mkdir -p "$out"
export COLUMNS="${COLUMNS:-150}"
run() {
    local name="$1"
    shift
    echo "\$ allyscope $*" | tee "$out/$name.txt"
    uv run --locked allyscope "$@" 2>&1 | tee -a "$out/$name.txt"
    echo
}
run 01-institutions institutions "US-Japan-ROK" --from 2021
run 02-defacto defacto JPN KOR --from 2015
run 03-defacto-validate defacto --validate
run 04-rhetoric rhetoric JPN KOR --from 2017
run 05-forecast forecast JPN KOR --horizon 5
run 06-forecast-group forecast USA JPN KOR --horizon 5
run 07-scenario-mistrust forecast JPN KOR --un-affinity lowest --exercises stop
run 08-scenario-leader forecast JPN KOR --leader-change KOR
run 09-model-evaluate model evaluate
run 10-network network --layer mechanisms,defense --region "East Asia" --hub USA --from 2015 --to 2025
run 11-blocs blocs --from 2017 --state KOR
run 12-report report USA JPN KOR -o "$out/report.html"
