// Package bufcheck tests that the contract works with buf as another
// repository sees it: the committed third-party buf/validate/validate.proto
// matches the descriptor the runtime validator uses, and a clone, a git input
// and a directory input of this repository build, lint and generate offline.
// It has tests only; they run buf through `go tool -modfile=tools/go.mod`.
package bufcheck
