package main

import (
	"runtime/debug"
	"strings"
)

// suggest returns the candidate closest to word, for a "did you mean"
// hint, or "" if none is close: within an edit distance of 1 for words of
// up to 4 characters, 2 for longer ones (a swap of two neighbours counts
// as one edit), or a candidate that starts with word.
func suggest(word string, candidates []string) string {
	word = strings.ToLower(word)
	limit := 1
	if len(word) > 4 {
		limit = 2
	}
	best, bestDistance := "", limit+1
	for _, c := range candidates {
		d := editDistance(word, strings.ToLower(c))
		if d < bestDistance {
			best, bestDistance = c, d
		}
	}
	if best != "" {
		return best
	}
	if len(word) >= 2 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), word) {
				return c
			}
		}
	}
	return ""
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of two neighbouring
// characters, each one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// version returns the version of the module cplugin was built from, as Go
// records it: a tag such as "v1.2.0" for `go install ...@v1.2.0`, a pseudo
// version for a commit, or "(devel)" for a build from a working tree.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	return info.Main.Version
}
