#!/usr/bin/env bash
# convert's memory and time on a backup of N users, all of them restored
# (--deleted-since-backup with a users file that holds none of them),
# with jq reading the same User.json in the same run as the peer (the
# machine may be shared and noisy: compare the ratios). Needs jq and GNU
# time (Debian: apt-get install jq time).
#
#   testdata/bench/backup.sh [USERS...] [DIR]   # defaults: 10000 100000 /tmp/jcrestore-backup
#
# For each N: a Backup-JCOrganization folder whose User.json is the users
# of gen -users (Get-JCUser's names; the SDK's PascalCase reads alike),
# then convert to CSV and jq length on it, alternating, three runs each:
# the least and the most peak RSS, the median user CPU, and the ratios to
# jq's.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=()
dir=/tmp/jcrestore-backup
for a in "$@"; do
	if [[ $a =~ ^[0-9]+$ ]]; then sizes+=("$a"); else dir=$a; fi
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
mkdir -p "$dir"
go build -o "$dir/jcrestore" .
echo '[{"_id": "660000000000000000009999", "username": "someone", "email": "someone@example.com", "organization": "5a1b2c3d4e5f60718293a4b5"}]' > "$dir/now.json"
printf '%-8s %-10s %10s %-24s %8s %10s %10s\n' users what "User.json (MB)" "peak RSS, least-most (MB)" "user s" "CPU/jq" "RSS/jq"
for n in "${sizes[@]}"; do
	b="$dir/JumpCloud_20261120T1015004321-$n/JumpCloud_20261120T1015004321"
	mkdir -p "$b"
	[ -s "$b/User.json" ] || go run ./testdata/gen -n "$n" -users > "$b/User.json"
	cp testdata/shared/backup-org/JumpCloud_20261120T1015004321/Manifest.json "$b/"
	size=$(stat -c %s "$b/User.json")
	cat "$b/User.json" > /dev/null # into the page cache
	runs_j="" runs_q=""
	for _ in 1 2 3; do
		runs_j+=$(/usr/bin/time -f "%M %U" "$dir/jcrestore" convert -q "$b" --deleted-since-backup "$dir/now.json" -o "$dir/out-$n.csv" --force 2>&1 >/dev/null | tail -1)$'\n'
		runs_q+=$(/usr/bin/time -f "%M %U" jq length "$b/User.json" 2>&1 >/dev/null | tail -1)$'\n'
	done
	stats() { # least-RSS most-RSS median-CPU of the runs on stdin
		local runs
		runs=$(grep . || true)
		echo "$(echo "$runs" | sort -n | head -1 | cut -d' ' -f1) $(echo "$runs" | sort -n | tail -1 | cut -d' ' -f1) $(echo "$runs" | sort -n -k2 | sed -n 2p | cut -d' ' -f2)"
	}
	read -r jl jm jc < <(echo "$runs_j" | stats)
	read -r ql qm qc < <(echo "$runs_q" | stats)
	printf '%-8s %-10s %10.1f %-24s %8s %10.2f %10.2f\n' "$n" convert "$(echo "$size / 1048576" | bc -l)" "$((jl / 1024))-$((jm / 1024))" "$jc" \
		"$(echo "$jc / $qc" | bc -l)" "$(echo "$jm / $qm" | bc -l)"
	printf '%-8s %-10s %10.1f %-24s %8s\n' "$n" "jq length" "$(echo "$size / 1048576" | bc -l)" "$((ql / 1024))-$((qm / 1024))" "$qc"
done
