#!/usr/bin/env bash
# The big incident's figures (issue "Speed for big incidents"), each
# command against its floor or peer in the same rounds, alternating (the
# machine may be shared and noisy: compare the ratios). CPU is user plus
# system seconds, the median of RUNS runs (default 3); peak RSS the most
# of them. Needs jq and GNU time (Debian: apt-get install jq time).
#
#   testdata/bench/speed.sh [DIR] [OLD]   # defaults: /tmp/jcrestore-speed, no OLD
#
#   - convert of deletion-only exports (gen -deletes) of 10,000 and
#     100,000 users to CSV, against jq's select of the deletions: µs of
#     CPU and KB of peak RSS per user;
#   - approve of the 100,000-user review workbook, against excelize's
#     own streamed row reader over its Users sheet (testdata/bench/rows);
#   - verify of the 100,000 users' restore script against the users as
#     Get-JCUser returns them (gen -users), against encoding/json decoding
#     that file into a struct of the compared fields (testdata/bench/decode);
#   - convert of 100,000 and 1,000,000 generated events (NDJSON) to CSV,
#     µs of CPU per event, and of 1,000,000 to a workbook (wall time).
#
# OLD, a commit, adds that commit's jcrestore to approve and to convert
# to CSV, built from git archive in DIR, and says whether its CSV is the
# same. The files are generated once and kept in DIR (about 2 GB).
set -euo pipefail
dir=${1:-/tmp/jcrestore-speed}
old=${2:-}
runs=${RUNS:-3}
cd "$(dirname "$0")/../.."
mkdir -p "$dir"
go build -o "$dir/jcrestore" .
go build -o "$dir/rows" ./testdata/bench/rows
go build -o "$dir/decode" ./testdata/bench/decode
if [ -n "$old" ]; then
	rm -rf "$dir/old-src" && mkdir "$dir/old-src"
	git archive "$old" | tar -x -C "$dir/old-src"
	(cd "$dir/old-src" && go build -o "$dir/jcrestore-old" .)
fi
jc=$dir/jcrestore
for n in 10000 100000; do
	[ -s "$dir/deleted-$n.json" ] || go run ./testdata/gen -n "$n" -deletes > "$dir/deleted-$n.json"
done
[ -s "$dir/users-100000.json" ] || go run ./testdata/gen -n 100000 -users > "$dir/users-100000.json"
[ -s "$dir/review-100000.xlsx" ] || "$jc" convert -q "$dir/deleted-100000.json" -o "$dir/review-100000.xlsx" --force
[ -s "$dir/restore-100000.ps1" ] || "$jc" convert -q "$dir/deleted-100000.json" --script "$dir/restore-100000.ps1"
for n in 100000 1000000; do
	[ -s "$dir/events-$n.ndjson" ] || go run ./testdata/gen -n "$n" -layout ndjson > "$dir/events-$n.ndjson"
done

# measure NAME CMD...: runs CMD, records "cpu rss wall" (seconds, KB) in
# $dir/NAME.runs. Exit 1 is a result with users in error: the generated
# exports have some.
measure() {
	local name=$1
	shift
	/usr/bin/time -f "%U %S %M %e" -o "$dir/time.out" "$@" > /dev/null 2>&1 || [ $? -eq 1 ]
	awk '{ printf "%.2f %d %.2f\n", $1 + $2, $3, $4 }' "$dir/time.out" >> "$dir/$name.runs"
}
cpu() { sort -n "$dir/$1.runs" | awk '{ c[NR] = $1 } END { print c[int((NR + 1) / 2)] }'; }
rss() { sort -n -k2 "$dir/$1.runs" | tail -1 | cut -d' ' -f2; }
wall() { sort -n -k3 "$dir/$1.runs" | awk '{ w[NR] = $3 } END { print w[int((NR + 1) / 2)] }'; }
rm -f "$dir"/*.runs
for f in "$dir"/*.json "$dir"/*.ndjson "$dir"/*.xlsx "$dir"/*.ps1; do cat "$f" > /dev/null; done # into the page cache
for _ in $(seq "$runs"); do
	for n in 10000 100000; do
		measure "convert-$n" "$jc" convert -q "$dir/deleted-$n.json" -o "$dir/out-$n.csv" --force
		measure "jq-$n" jq -c '.[] | select(.event_type == "user_delete")' "$dir/deleted-$n.json"
	done
	measure approve "$jc" approve -q "$dir/review-100000.xlsx" -o "$dir/approved.csv" --force
	measure rows "$dir/rows" "$dir/review-100000.xlsx"
	[ -z "$old" ] || measure approve-old "$dir/jcrestore-old" approve -q "$dir/review-100000.xlsx" -o "$dir/approved-old.csv" --force
	measure verify "$jc" verify -q "$dir/restore-100000.ps1" "$dir/users-100000.json"
	measure decode "$dir/decode" "$dir/users-100000.json"
	for n in 100000 1000000; do
		measure "csv-$n" "$jc" convert -q "$dir/events-$n.ndjson" -o "$dir/events-$n.csv" --force
		[ -z "$old" ] || measure "csv-old-$n" "$dir/jcrestore-old" convert -q "$dir/events-$n.ndjson" -o "$dir/events-old-$n.csv" --force
	done
	measure xlsx "$jc" convert -q "$dir/events-1000000.ndjson" -o "$dir/events-1000000.xlsx" --force
done

echo "| work | jcrestore CPU | per unit | peak RSS | per unit | peer | peer CPU | CPU / peer's | peer's RSS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
row() { # work name per-unit-count unit peer-name peer-label
	awk -v work="$1" -v c="$(cpu "$2")" -v r="$(rss "$2")" -v n="$3" -v unit="$4" -v pl="$6" \
		-v pc="$([ -z "$5" ] || cpu "$5")" -v pr="$([ -z "$5" ] || rss "$5")" \
		'BEGIN { printf "| %s | %.2f s | %.1f µs/%s | %d MB | %.2f KB/%s | %s | %s | %s | %s |\n", work, c, c * 1e6 / n, unit, r / 1024, r / n, unit,
			pl, (pc == "" ? "-" : sprintf("%.2f s", pc)), (pc == "" ? "-" : sprintf("%.2f", c / pc)), (pr == "" ? "-" : sprintf("%d MB", pr / 1024)) }'
}
row "convert, 10,000 deleted users" convert-10000 10000 user jq-10000 "jq select"
row "convert, 100,000 deleted users" convert-100000 100000 user jq-100000 "jq select"
row "approve, 100,000 users" approve 100000 user rows "excelize Rows"
row "verify, 100,000 users" verify 100000 user decode "encoding/json"
row "convert → CSV, 100,000 events" csv-100000 100000 event "" "-"
row "convert → CSV, 1,000,000 events" csv-1000000 1000000 event "" "-"
row "convert → workbook, 1,000,000 events" xlsx 1000000 event "" "-"
echo
echo "verify's peak RSS over the users file: $(awk -v r="$(rss verify)" -v s="$(stat -c %s "$dir/users-100000.json")" 'BEGIN { printf "%.2f", r * 1024 / s }')"
echo "convert → workbook, 1,000,000 events: $(wall xlsx) s of wall time"
if [ -n "$old" ]; then
	same=no
	cmp -s "$dir/events-1000000.csv" "$dir/events-old-1000000.csv" && same=yes
	echo
	echo "old: $old, in the same rounds"
	echo "| work | old CPU | jcrestore CPU | jcrestore / old | old peak RSS | jcrestore peak RSS |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for w in approve csv-100000 csv-1000000; do
		o=$w-old
		[ "$w" = approve ] || o=csv-old-${w#csv-}
		awk -v w="$w" -v oc="$(cpu "$o")" -v c="$(cpu "$w")" -v orss="$(rss "$o")" -v r="$(rss "$w")" \
			'BEGIN { printf "| %s | %.2f s | %.2f s | %.2f | %d MB | %d MB |\n", w, oc, c, c / oc, orss / 1024, r / 1024 }'
	done
	echo "the same CSV of 1,000,000 events: $same"
fi
