#!/usr/bin/env bash
# verify's memory and time on N planned users, against the size of its
# inputs, with jq reading the same users file in the same run as the peer
# (the machine may be shared and noisy: compare the ratios). Needs jq and
# GNU time (Debian: apt-get install jq time).
#
#   testdata/bench/verify.sh [USERS...] [DIR]   # defaults: 50000 100000 /tmp/jcrestore-verify
#
# For each N: a deletion-only export of N users (gen -deletes), its
# restore script (convert --script), and the users as Get-JCUser |
# ConvertTo-Json would return them once restored (gen -users); then
# verify of the script against the users, as text, as --json and with a
# verification workbook, three runs each: the least and the most peak RSS,
# the median user CPU, and the peak RSS over the inputs' size.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=()
dir=/tmp/jcrestore-verify
for a in "$@"; do
	if [[ $a =~ ^[0-9]+$ ]]; then sizes+=("$a"); else dir=$a; fi
done
[ ${#sizes[@]} -gt 0 ] || sizes=(50000 100000)
mkdir -p "$dir"
go build -o "$dir/jcrestore" .
measure() { # runs a command three times: "least-RSS most-RSS median-user-CPU"
	local runs
	runs=$(for _ in 1 2 3; do /usr/bin/time -f "%M %U" "$@" 2>&1 >/dev/null | tail -1; done)
	echo "$(echo "$runs" | sort -n | head -1 | cut -d' ' -f1) $(echo "$runs" | sort -n | tail -1 | cut -d' ' -f1) $(echo "$runs" | sort -n -k2 | sed -n 2p | cut -d' ' -f2)"
}
printf '%-8s %-8s %12s %-24s %8s %10s\n' users what "inputs (MB)" "peak RSS, least-most (MB)" "user s" "RSS/inputs"
for n in "${sizes[@]}"; do
	[ -s "$dir/deleted-$n.json" ] || go run ./testdata/gen -n "$n" -deletes > "$dir/deleted-$n.json"
	[ -s "$dir/users-$n.json" ] || go run ./testdata/gen -n "$n" -users > "$dir/users-$n.json"
	[ -s "$dir/restore-$n.ps1" ] || "$dir/jcrestore" convert -q "$dir/deleted-$n.json" --script "$dir/restore-$n.ps1" 2>/dev/null
	in=$(( $(stat -c %s "$dir/restore-$n.ps1") + $(stat -c %s "$dir/users-$n.json") ))
	cat "$dir/restore-$n.ps1" "$dir/users-$n.json" > /dev/null # into the page cache
	for what in text json xlsx jq; do
		case $what in
		text) cmd=("$dir/jcrestore" verify -q "$dir/restore-$n.ps1" "$dir/users-$n.json") ;;
		json) cmd=("$dir/jcrestore" verify --json "$dir/restore-$n.ps1" "$dir/users-$n.json") ;;
		xlsx) cmd=("$dir/jcrestore" verify -q "$dir/restore-$n.ps1" "$dir/users-$n.json" -o "$dir/verified-$n.xlsx" --force) ;;
		jq) cmd=(jq length "$dir/users-$n.json") ;;
		esac
		read -r least most cpu < <(measure "${cmd[@]}")
		printf '%-8s %-8s %12.1f %-24s %8s %10.2f\n' "$n" "$what" "$(echo "$in / 1048576" | bc -l)" \
			"$((least / 1024))-$((most / 1024))" "$cpu" "$(echo "$most * 1024 / $in" | bc -l)"
	done
done
