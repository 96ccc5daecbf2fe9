#!/usr/bin/env bash
# Renders the README's pictures of the review workbook made from week.json,
# the way the workbook prints: LibreOffice headless to PDF, then pdftoppm to
# PNG (parts of pages, and one whole printed page). Needs soffice (libreoffice-calc-nogui) and pdftoppm (poppler-utils).
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
# render PAGE NAME DPI X Y WIDTH HEIGHT: a part of a page, in pixels at DPI.
render() {
	pdftoppm -f "$1" -l "$1" -r "$3" -x "$4" -y "$5" -W "$6" -H "$7" -png -singlefile "$tmp/review.pdf" "$2"
}
# Users prints smaller than 100 %: at 150 dpi its top left is about as the
# sheet shows on screen.
render "$(page Restore)" review-users 150 100 140 1250 200
render "$(page 'jcrestore summary')" review-summary 80 0 30 680 620
# The sign-off page, and a whole printed page of Users: the header and who
# the row is repeat on every page, the footer names the sheet and the page.
render 1 review-signoff 80 0 0 880 680
render "$(page Restore)" review-printed 80 0 0 880 680
