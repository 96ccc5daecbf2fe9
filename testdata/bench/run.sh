#!/usr/bin/env bash
# Compares jcrestore with jq and grep on the same generated exports, side by
# side in one run (the machine may be shared and noisy: compare the ratios):
# wall time with hyperfine, peak RSS with /usr/bin/time. Needs hyperfine,
# jq and GNU time (Debian: apt-get install hyperfine jq time).
#
#   testdata/bench/run.sh [EVENTS] [DIR]     # defaults: 1000000 /tmp/jcrestore-bench
#
# The files are generated once and kept in DIR (about 3.5 GB for 1,000,000
# events). grep writes to a file: to /dev/null GNU grep stops at the first
# match.
set -euo pipefail
n=${1:-1000000}
dir=${2:-/tmp/jcrestore-bench}
cd "$(dirname "$0")/../.."
mkdir -p "$dir"
go build -o "$dir/jcrestore" .
for layout in ndjson array pretty; do
	f="$dir/$layout-$n.json"
	[ -s "$f" ] || go run ./testdata/gen -n "$n" -layout "$layout" > "$f"
done
[ -s "$dir/ndjson-$n.json.gz" ] || gzip -1 -k -c "$dir/ndjson-$n.json" > "$dir/ndjson-$n.json.gz"

rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
for layout in ndjson array pretty; do
	f="$dir/$layout-$n.json"
	echo "== $layout, $(du -h "$f" | cut -f1)"
	hyperfine --warmup 1 --runs 3 --export-markdown "$dir/$layout.md" \
		-n "grep -c user_delete" "grep -c user_delete $f > $dir/grep.out" \
		-n jq "jq -r -f testdata/bench/extract.jq $f > $dir/jq.out" \
		-n jcrestore "$dir/jcrestore convert -q $f -o $dir/out.csv --force"
	echo "peak RSS (KB): jq $(rss jq -r -f testdata/bench/extract.jq "$f"), jcrestore $(rss "$dir/jcrestore" convert -q "$f" -o "$dir/out.csv" --force)"
done
f="$dir/ndjson-$n.json.gz"
echo "== gzip"
hyperfine --warmup 1 --runs 3 --export-markdown "$dir/gzip.md" \
	-n "gzip -dc" "gzip -dc $f > /dev/null" \
	-n jcrestore "$dir/jcrestore convert -q $f -o $dir/out.csv --force"
echo "peak RSS (KB): jcrestore $(rss "$dir/jcrestore" convert -q "$f" -o "$dir/out.csv" --force)"
