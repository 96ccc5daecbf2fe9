// Command rows is approve's peer in testdata/bench/speed.sh: it reads
// the Users sheet of a review workbook with excelize's own streamed row
// reader (Rows, Columns), the floor the library sets for that work, and
// counts the rows.
//
//	go run ./testdata/bench/rows review.xlsx
package main

import (
	"fmt"
	"os"

	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: rows review.xlsx")
		os.Exit(2)
	}
	if err := count(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func count(path string) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := f.Rows("Users")
	if err != nil {
		return err
	}
	defer rows.Close()
	n, cells := 0, 0
	for rows.Next() {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return err
		}
		n++
		cells += len(cols)
	}
	fmt.Println(n, "rows,", cells, "cells")
	return rows.Error()
}
