package convert

import "github.com/jcrestore/jcrestore/convert/jsonstream"

// Position, Problem and their kinds are the byte layer's: a place in an
// input, and something found there.
type (
	Position = jsonstream.Position
	Problem  = jsonstream.Problem
	Kind     = jsonstream.Kind
)

// Kinds of problems.
const (
	Unreadable = jsonstream.Unreadable
	Notice     = jsonstream.Notice
)
