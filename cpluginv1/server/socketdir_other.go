//go:build !unix

package server

// isPrivateDir reports false: go-plugin serves on TCP here.
func isPrivateDir(string) bool { return false }
