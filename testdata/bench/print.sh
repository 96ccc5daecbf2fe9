#!/usr/bin/env bash
# How long LibreOffice takes to print the review workbook of a generated
# export of N events (default 1,000,000) to PDF, against opening the same
# workbook alone (its conversion to CSV, which writes the first sheet) in
# the same run: the machine may be shared and noisy, compare the two.
# Prints the pages by sheet and the scale Users prints at. Needs soffice
# (libreoffice-calc-nogui), poppler-utils and GNU time.
#
#   testdata/bench/print.sh [N] [DIR]   # defaults: 1000000 /tmp/jcrestore-print
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}
dir=${2:-/tmp/jcrestore-print}
mkdir -p "$dir"
go run ./testdata/gen -n "$n" >"$dir/events.json"
rm -f "$dir/review.xlsx" "$dir/review.pdf" "$dir/review.csv"
# Exit 1 is users with errors, which the generated export has.
go run . convert -q "$dir/events.json" -o "$dir/review.xlsx" 2>/dev/null || test -s "$dir/review.xlsx"
office() { /usr/bin/time -f "%e s, peak RSS %M KB" soffice -env:UserInstallation="file://$dir/profile" --headless --convert-to "$1" --outdir "$dir" "$dir/review.xlsx" 2>&1 >/dev/null | tail -1; }
echo "open (to CSV): $(office csv)"
echo "print (to PDF): $(office pdf)"
echo "scale of Users: $(unzip -p "$dir/review.xlsx" xl/worksheets/sheet2.xml | grep -o 'scale="[0-9]*"')"
pages=$(pdfinfo "$dir/review.pdf" | awk '/^Pages:/ {print $2}')
echo "pages: $pages"
pdftotext -layout "$dir/review.pdf" - | grep -oE '^\s*[A-Za-z-]+\s+Page [0-9]+ of' | awk '{print $1}' | sort | uniq -c
