// Package jsonstream is convert's byte layer: it turns an export's bytes
// into its top-level JSON values, one at a time, with their positions,
// without parsing the input whole.
//
// Decode undoes what wraps the text (gzip, a byte order mark, UTF-16 from
// Windows PowerShell). A Reader then splits the text into values: the
// elements of a top-level array (pretty, compact or one per line), NDJSON,
// concatenated objects. It checks each value's syntax as it goes, names
// every problem with its file:line:col, an excerpt and a caret, and takes
// up again after a broken value at the next one it can find. Where the
// input is laid out one value per line, blocks of lines are split and
// checked on several goroutines, with the same values, problems and
// positions as in sequence; a fast path checks a well-formed event in one
// pass and notes the top-level keys its caller asked for.
//
// It knows nothing of Directory Insights: what a value means is convert's.
package jsonstream
