package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/pipeline"
)

// produced returns the result of a pipe that produced the positions, with
// or without keeping them.
func produced(keep bool, positions ...string) pipeline.Result {
	r := pipeline.Result{Produced: int64(len(positions))}
	digest := pipeline.NewPositionDigest()
	for _, p := range positions {
		digest.Add([]byte(p))
		if keep {
			r.Positions = append(r.Positions, []byte(p))
		}
	}
	r.ProducedDigest = digest.Sum()
	return r
}

// jsonLines writes a file that starts with prefix and then holds one
// jsonlines record per position, and returns it with the offset of the
// records.
func jsonLines(t *testing.T, prefix string, positions ...string) *outputFile {
	t.Helper()
	var b strings.Builder
	b.WriteString(prefix)
	for _, p := range positions {
		// encoding/json writes []byte as base64, as jsonlines does.
		fmt.Fprintf(&b, `{"position":%q,"operation":"create"}`+"\n", base64.StdEncoding.EncodeToString([]byte(p)))
	}
	path := filepath.Join(t.TempDir(), "out.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return &outputFile{path: path, offset: int64(len(prefix))}
}

func TestReadBack(t *testing.T) {
	t.Parallel()
	old := `{"position":"b2xk","operation":"create"}` + "\n" // an earlier run's line
	tests := []struct {
		name    string
		keep    bool
		file    []string
		problem string // a piece of the problem; empty for none
	}{
		{"the same, kept", true, []string{"1", "2", "3"}, ""},
		{"the same, digest only", false, []string{"1", "2", "3"}, ""},
		{"one missing, kept", true, []string{"1", "3"}, `line 2 holds position "3" (the position of record 3), where record 2, "2", belongs`},
		{"one missing, digest only", false, []string{"1", "3"}, "it holds 2 positions, but 3 were produced"},
		{"the last missing, kept", true, []string{"1", "2"}, `it holds 2 of the 3 positions produced: position "3" (record 3) and the ones after it are missing`},
		{"swapped, digest only", false, []string{"1", "3", "2"}, "its positions differ from the ones produced"},
		{"a duplicate, kept", true, []string{"1", "1", "2", "3"}, `line 2 holds position "1" (the position of record 1, again)`},
		{"one too many, kept", true, []string{"1", "2", "3", "4"}, `line 4 holds position "4", but only 3 records were produced`},
		{"an unknown one, kept", true, []string{"1", "x", "3"}, `(a position the source did not produce)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := readBack(jsonLines(t, old, tt.file...), produced(tt.keep, "1", "2", "3"))
			if tt.problem == "" && got.problem != "" || !strings.Contains(got.problem, tt.problem) {
				t.Errorf("problem %q, want one containing %q", got.problem, tt.problem)
			}
		})
	}
}
