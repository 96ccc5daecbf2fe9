#!/usr/bin/env bash
# Compares jcrestore with jq and grep on the same generated exports, side by
# side in one run (the machine may be shared and noisy: compare the ratios):
# wall time with hyperfine, peak RSS with GNU time. Needs hyperfine, jq and
# GNU time (Debian: apt-get install hyperfine jq time).
#
#   testdata/bench/run.sh [EVENTS] [DIR] [OLD]  # defaults: 1000000 /tmp/jcrestore-bench
#
# OLD, a commit, adds that commit's jcrestore to every comparison, built
# from git archive in DIR: its time, today's over its, its peak RSS, and
# whether both wrote the same CSV.
#
# The files are generated once and kept in DIR (about 4 GB for 1,000,000
# events). grep writes to a file: to /dev/null GNU grep stops at the first
# match. jq reads an array whole, so it needs several GB of memory there.
# At the end a table gives, per input, the mean times, jcrestore's
# throughput, jq's time over jcrestore's, jcrestore's time over the
# reference's (grep -c, or gzip -dc), inspect's time over convert's
# (alternating runs), and the peak RSS of jq and convert.
set -euo pipefail
n=${1:-1000000}
dir=${2:-/tmp/jcrestore-bench}
old=${3:-}
runs=${RUNS:-3}
cd "$(dirname "$0")/../.."
mkdir -p "$dir"
go build -o "$dir/jcrestore" .
if [ -n "$old" ]; then
	rm -rf "$dir/old-src" && mkdir "$dir/old-src"
	git archive "$old" | tar -x -C "$dir/old-src"
	(cd "$dir/old-src" && go build -o "$dir/jcrestore-old" .)
fi
for layout in ndjson array pretty; do
	f="$dir/$layout-$n.json"
	[ -s "$f" ] || go run ./testdata/gen -n "$n" -layout "$layout" > "$f"
done
[ -s "$dir/ndjson-$n.json.gz" ] || gzip -1 -c "$dir/ndjson-$n.json" > "$dir/ndjson-$n.json.gz"

rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
wall() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
mean() { jq -r --arg c "$2" '.results[] | select(.command == $c) | .mean' "$1"; }
input() { # the file of an input
	if [ "$1" = gzip ]; then echo "$dir/ndjson-$n.json.gz"; else echo "$dir/$1-$n.json"; fi
}
inputs="ndjson array pretty gzip"
declare -A crs ins ors same
for input in $inputs; do
	f=$(input "$input")
	cat "$f" > /dev/null # into the page cache
	echo "== $input: $f, $(du -hL "$f" | cut -f1)"
	ref="grep -c user_delete $f > $dir/grep.out"
	[ "$input" = gzip ] && ref="gzip -dc $f > /dev/null"
	olds=()
	[ -n "$old" ] && olds=(-n old "$dir/jcrestore-old convert -q $f -o $dir/old.csv --force")
	hyperfine --warmup 1 --runs "$runs" --export-json "$dir/$input.json" \
		-n reference "$ref" \
		-n jcrestore "$dir/jcrestore convert -q $f -o $dir/out.csv --force" "${olds[@]}"
	if [ -n "$old" ]; then
		same[$input]=no
		if cmp -s "$dir/old.csv" "$dir/out.csv"; then
			same[$input]=yes
		elif cmp -s <(sort "$dir/old.csv") <(sort "$dir/out.csv"); then
			same[$input]="when sorted"
		fi
		ors[$input]=$(for _ in 1 2 3; do rss "$dir/jcrestore-old" convert -q "$f" -o "$dir/old.csv" --force; done | sort -n | sed -n '1p;$p' | paste -sd' ')
	fi
	# inspect against convert in alternating runs, which the machine's
	# drift from minute to minute touches alike: the median of the ratios.
	ins[$input]=$(for _ in $(seq "$runs"); do
		c=$(wall "$dir/jcrestore" convert -q "$f" -o "$dir/out.csv" --force)
		i=$(wall "$dir/jcrestore" inspect "$f")
		echo "$i $c" | awk '{ print $1 / $2 }'
	done | sort -n | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }')
	# jcrestore's peak RSS varies by a few MB from run to run: the least
	# and the most of three.
	crs[$input]=$(for _ in 1 2 3; do rss "$dir/jcrestore" convert -q "$f" -o "$dir/out.csv" --force; done | sort -n | sed -n '1p;$p' | paste -sd' ')
done
# jq after all of jcrestore's runs: on an array it holds GB of memory, and
# the machine is slower for a while after it gives them back.
declare -A jq_rss
for input in ndjson array pretty; do
	f=$(input "$input")
	cat "$f" > /dev/null
	echo "== jq on $input"
	hyperfine --runs "$runs" --export-json "$dir/$input-jq.json" \
		-n jq "jq -r -f testdata/bench/extract.jq $f > $dir/jq.out"
	jq_rss[$input]=$(rss jq -r -f testdata/bench/extract.jq "$f")
	"$dir/jcrestore" convert -q "$f" -o "$dir/out.csv" --force
	echo "jq and jcrestore find $(wc -l < "$dir/jq.out") and $(($(wc -l < "$dir/out.csv") - 1)) deleted users"
done
summary=()
for input in $inputs; do
	ref=$(mean "$dir/$input.json" reference)
	jc=$(mean "$dir/$input.json" jcrestore)
	jqt=$([ "$input" = gzip ] || mean "$dir/$input-jq.json" jq)
	size=$(stat -L -c %s "$dir/${input/gzip/ndjson}-$n.json") # of the JSON, for gzip too
	summary+=("$(awk -v name="$input" -v ref="$ref" -v jc="$jc" -v jq="${jqt:-0}" -v ins="${ins[$input]}" -v size="$size" \
		-v jr="${jq_rss[$input]:--}" -v crs="${crs[$input]}" \
		'BEGIN { split(crs, cr, " ")
		printf "| %s | %.2f s | %s | %.2f s | %.0f MB/s | %s | %.1f | %.2f | %s | %d-%d MB |\n", name, ref,
			(jq > 0 ? sprintf("%.1f s", jq) : "-"), jc, size / jc / 1e6,
			(jq > 0 ? sprintf("%.0f", jq / jc) : "-"), jc / ref, ins,
			(jr == "-" ? "-" : sprintf("%.0f MB", jr / 1024)), cr[1] / 1024, cr[2] / 1024 }')")
done
echo
echo "reference: grep -c user_delete, or gzip -dc for the gzip input"
echo "| input | reference | jq | jcrestore | throughput | jq's time / jcrestore's | jcrestore's time / reference's | inspect's time / convert's | peak RSS jq | peak RSS jcrestore |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${summary[@]}"
if [ -n "$old" ]; then
	user() { jq -r --arg c "$2" '.results[] | select(.command == $c) | .user' "$1"; }
	echo
	echo "old: $old ($(git log -1 --format=%h "$old")), in the same runs"
	echo "| input | old | jcrestore | jcrestore's time / old's | user CPU old | user CPU jcrestore | peak RSS old | peak RSS jcrestore | the same CSV |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	for input in $inputs; do
		awk -v name="$input" -v o="$(mean "$dir/$input.json" old)" -v jc="$(mean "$dir/$input.json" jcrestore)" \
			-v ou="$(user "$dir/$input.json" old)" -v ju="$(user "$dir/$input.json" jcrestore)" \
			-v ors="${ors[$input]}" -v crs="${crs[$input]}" -v same="${same[$input]}" \
			'BEGIN { split(ors, o2, " "); split(crs, c2, " ")
			printf "| %s | %.2f s | %.2f s | %.2f | %.2f s | %.2f s | %d-%d MB | %d-%d MB | %s |\n", name, o, jc, jc / o, ou, ju,
				o2[1] / 1024, o2[2] / 1024, c2[1] / 1024, c2[2] / 1024, same }'
	done
fi
