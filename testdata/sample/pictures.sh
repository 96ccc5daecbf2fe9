#!/usr/bin/env bash
# Renders the README's pictures of the review workbook made from week.json,
# the way the workbook prints: LibreOffice headless to PDF, then pdftoppm to
# PNG. Needs soffice (libreoffice-calc-nogui) and pdftoppm (poppler-utils).
#
#   testdata/sample/pictures.sh
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go run ../.. convert -q week.json -o "$tmp/review.xlsx"
soffice -env:UserInstallation="file://$tmp/profile" --headless --convert-to pdf --outdir "$tmp" "$tmp/review.xlsx" >/dev/null

# page TEXT: the first page of the PDF whose first line is TEXT.
page() {
	local n
	n=$(pdfinfo "$tmp/review.pdf" | awk '/^Pages:/ {print $2}')
	for ((p = 1; p <= n; p++)); do
		if [ "$(pdftotext -f $p -l $p "$tmp/review.pdf" - | head -1)" = "$1" ]; then
			echo $p
			return
		fi
	done
	echo "no page starts with $1" >&2
	exit 1
}
# render PAGE NAME HEIGHT: the top HEIGHT pixels of a page, at 100 dpi.
render() {
	pdftoppm -f "$1" -l "$1" -r 100 -x 0 -y 40 -W 1100 -H "$3" -png -singlefile "$tmp/review.pdf" "$2"
}
render "$(page Restore)" review-users 340
render "$(page 'jcrestore summary')" review-summary 420
