package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/pipeline"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
)

// outputFile is a file the destination writes that the pipe can read back:
// the jsonlines example's path, which it appends to.
type outputFile struct {
	path   string
	offset int64 // the file's size before the pipe: the pipe's lines follow
}

// findOutputFile returns the file to read back after the pipe, or why there
// is none. A destination is the jsonlines example if its specification
// names it so, built-in or standalone.
func findOutputFile(specName string, destinationConfig map[string]string) (*outputFile, string) {
	if specName != jsonlines.Name {
		return nil, "the destination is not jsonlines, whose file cplugin can read"
	}
	path := destinationConfig[jsonlines.ParamPath]
	if path == "" {
		return nil, "jsonlines discards the records without --destination-config " + jsonlines.ParamPath + "=FILE"
	}
	f := &outputFile{path: path}
	if info, err := os.Stat(path); err == nil {
		f.offset = info.Size()
	}
	return f, ""
}

// fileCheck is what reading the destination's file back showed.
type fileCheck struct {
	// skipped says why the file was not compared; empty if it was.
	skipped string
	path    string
	// lines counts the lines the pipe added to the file.
	lines int64
	// digest is the pipeline.PositionDigest of their positions.
	digest [sha256.Size]byte
	// problem says how the file differs from the positions produced;
	// empty if it holds exactly those, in order.
	problem string
}

// readBack reads the lines the pipe added to f and compares their
// positions with the ones the source produced (r.Positions if kept, else
// their count and digest). It is independent of the host's bookkeeping of
// acks: only what the destination wrote counts.
func readBack(f *outputFile, r pipeline.Result) fileCheck {
	check := fileCheck{path: f.path}
	file, err := os.Open(f.path)
	if err != nil {
		check.problem = fmt.Sprintf("cannot read it back: %v", err)
		return check
	}
	defer func() { _ = file.Close() }()
	if _, err := file.Seek(f.offset, io.SeekStart); err != nil {
		check.problem = fmt.Sprintf("cannot read it back: %v", err)
		return check
	}
	digest := pipeline.NewPositionDigest()
	in := bufio.NewReaderSize(file, 1<<16)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 && check.problem == "" {
			n := check.lines + 1
			var rec struct {
				Position []byte `json:"position"`
			}
			switch {
			case line[len(line)-1] != '\n':
				check.problem = fmt.Sprintf("line %d (of the lines the pipe added) is incomplete", n)
			case json.Unmarshal(line, &rec) != nil:
				check.problem = fmt.Sprintf("line %d (of the lines the pipe added) is not a JSON record", n)
			default:
				check.lines = n
				digest.Add(rec.Position)
				check.problem = comparePosition(r, n, rec.Position)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			check.problem = fmt.Sprintf("cannot read it back: %v", err)
			return check
		}
	}
	check.digest = digest.Sum()
	switch {
	case check.problem != "":
	case check.lines < r.Produced && r.Positions != nil:
		check.problem = fmt.Sprintf("it holds %d of the %d positions produced: position %s (record %d) and the ones after it are missing",
			check.lines, r.Produced, strconv.Quote(string(r.Positions[check.lines])), check.lines+1)
	case check.lines != r.Produced:
		check.problem = fmt.Sprintf("it holds %d positions, but %d were produced", check.lines, r.Produced)
	case check.digest != r.ProducedDigest:
		check.problem = "its positions differ from the ones produced (their digests differ)"
	}
	return check
}

// comparePosition compares the position on line n with the n-th position
// produced, if the positions were kept.
func comparePosition(r pipeline.Result, n int64, got []byte) string {
	if r.Positions == nil {
		return ""
	}
	if n > int64(len(r.Positions)) {
		return fmt.Sprintf("line %d holds position %q, but only %d records were produced", n, got, len(r.Positions))
	}
	want := r.Positions[n-1]
	if bytes.Equal(got, want) {
		return ""
	}
	what := "a position the source did not produce"
	for i, p := range r.Positions {
		if bytes.Equal(p, got) {
			what = fmt.Sprintf("the position of record %d", i+1)
			if int64(i) < n-1 {
				what += ", again"
			}
			break
		}
	}
	return fmt.Sprintf("line %d holds position %q (%s), where record %d, %q, belongs: record %d is missing or out of order", n, got, what, n, want, n)
}
