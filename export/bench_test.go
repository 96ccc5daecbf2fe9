package export

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/jcrestore/jcrestore/convert"
)

// bigReview is a 100,000-user review: each user with the attributes a
// deletion typically carries, and the deletion in the audit trail.
func bigReview(n int) *Review {
	res := &convert.Result{Stats: convert.Stats{ByType: map[string]int{"user_delete": n}, Users: n}}
	t0 := time.Date(2024, 4, 2, 14, 0, 0, 0, time.UTC)
	for i := range n {
		u := fmt.Sprintf("user%06d", i)
		at := t0.Add(time.Duration(i) * time.Second)
		res.Records = append(res.Records, convert.Record{
			User: convert.User{FirstName: "Zoë", LastName: "Åström", Username: u, Email: u + "@example.com",
				Department: "Finance", JobTitle: "Analyst", Company: "Example Corp", WorkNumber: fmt.Sprintf("555 %04d", i%10000)},
			DeletedAt: at, DeletedBy: "it-admin@example.com", EventID: fmt.Sprintf("65c0ffee0123456789%06x", i),
			FormerID: fmt.Sprintf("64a1b2c3d4e5f6071829%04x", i), Source: fmt.Sprintf("events.json:%d", i*40+1),
		})
		res.Trail = append(res.Trail, convert.AuditEntry{Time: at, Type: "user_delete", Service: "directory", Username: u,
			InitiatedBy: "it-admin@example.com", Changes: "email: " + u + "@example.com -> ; firstname: Zoë -> ; lastname: Åström -> ; department: Finance ->",
			ClientIP: "198.51.100.7", ID: fmt.Sprintf("65c0ffee0123456789%06x", i), Source: fmt.Sprintf("events.json:%d", i*40+1)})
	}
	convert.Validate(res.Records, convert.Rules{Importer: true})
	return &Review{Result: res, Version: "bench", Made: t0, Next: "jcrestore approve review.xlsx -o restore.csv"}
}

// BenchmarkWorkbook writes a 100,000-user review workbook:
//
//	go test ./export -run '^$' -bench Workbook -benchtime 3x -benchmem
func BenchmarkWorkbook(b *testing.B) {
	r := bigReview(100000)
	for b.Loop() {
		if err := WriteWorkbook(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadReview reads back the Users sheet of a 100,000-user review
// workbook:
//
//	go test ./export -run '^$' -bench ReadReview -benchtime 3x -benchmem
func BenchmarkReadReview(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, bigReview(100000)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		a, err := ReadReview(buf.Bytes())
		if err != nil || len(a.Records) != 100000 {
			b.Fatal(err)
		}
	}
}
