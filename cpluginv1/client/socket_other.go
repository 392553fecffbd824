//go:build !linux

package client

import "errors"

// chmodSocket leaves the mode of the socket as it is on this system: it
// cannot change the mode of the file at a path without following a
// symbolic link the connector may put there. The private directory the
// socket is in keeps other users out.
func chmodSocket(string, uint32) error {
	return errors.ErrUnsupported
}
