package client

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// errNotSocket is the error of restricting a path that is not a socket.
var errNotSocket = errors.New("not a socket")

// chmodSocket sets the mode of the unix socket at path, which the
// connector named and may change at any moment, without following a
// symbolic link and only if it is a socket: it opens the file itself
// (O_PATH|O_NOFOLLOW, which works on a socket and refuses a symbolic link
// at the end of path), checks the type of what it opened, and changes the
// mode of that file through /proc/self/fd. A connector that swaps the path
// for a link to a file of the host's user in between changes nothing.
func chmodSocket(path string, mode uint32) error {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return errors.New("a symbolic link, not a socket")
		}
		return err
	}
	defer func() { _ = unix.Close(fd) }()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return errNotSocket
	}
	// fchmod does not work on an O_PATH descriptor; the descriptor's entry
	// in /proc names the very file it opened.
	return unix.Chmod("/proc/self/fd/"+strconv.Itoa(fd), mode)
}
