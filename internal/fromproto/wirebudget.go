package fromproto

import (
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The memory a Decode function may allocate for one message, besides the
// message's own bytes: MaxAllocPerByte bytes per byte of the message plus
// AllocSlack. Everything a decoded message holds that grows with its
// content counts: the metadata map and, for structured data, every map,
// list and boxed number or string. Decoding fails with an error wrapping
// cpluginv1.ErrMessageTooLarge (see budget.charge) rather than go beyond.
//
// Data that comes near the limit is contrived: a map costs at least 336
// bytes (a Go map of one entry) and can be as short as 6 bytes on the wire,
// so a list of many objects of one short entry each would otherwise take
// 56 bytes per byte. Ordinary data takes 2 to 20 (a list of {"a": null}
// objects 27): raw data and strings cost nothing, as they share the
// message's bytes, and a metadata entry with a key of its own takes at least
// 5 bytes on the wire and at most 96 bytes in its map.
const (
	// MaxAllocPerByte is how many bytes a Decode function may allocate per
	// byte of the message.
	MaxAllocPerByte = 32
	// AllocSlack is how many bytes a Decode function may allocate besides,
	// whatever the size of the message.
	AllocSlack = 64 << 10
)

// The costs the budget charges, each at least what the Go runtime
// allocates (measured with Go 1.26; a test checks the total against
// runtime.MemStats).
const (
	// mapHeaderCost is a map without room for entries.
	mapHeaderCost = 48
	// smallMapCost is a map with room for up to 8 entries of 32 bytes (two
	// strings, or a string and an interface): one group.
	smallMapCost = mapHeaderCost + 288
	// mapEntryCost is an entry of a larger map, made with room for it;
	// the runtime rounds the room up to a power of two.
	mapEntryCost = 96
	// mapGrowthCost is an entry a map gets beyond the room it was made
	// with, including the tables it leaves behind as it grows.
	mapGrowthCost = 192
	// listElemCost is an element of a []any (16 bytes), with the rounding
	// of the allocator.
	listElemCost = 18
	// listCost is a list's fixed part: the rounding of its array and the
	// 24 bytes of its header, which storing it in an interface allocates.
	listCost = 32 + 24
	// boxCost is a float64 (8 bytes) or a string header (16 bytes) stored in
	// an interface.
	boxCost = 16
)

// budget is what a Decode function may still allocate.
type budget struct {
	left int // bytes
	size int // of the message, for the error
}

func newBudget(size int) budget {
	return budget{left: MaxAllocPerByte*size + AllocSlack, size: size}
}

// charge takes n bytes from the budget, or fails once it is spent.
func (b *budget) charge(n int) error {
	b.left -= n
	if b.left >= 0 {
		return nil
	}
	return &tooCostlyError{size: b.size}
}

// mapCost is the cost of a map made for hint entries.
func mapCost(hint int) int {
	switch {
	case hint <= 0:
		return mapHeaderCost
	case hint <= 8:
		return smallMapCost
	default:
		return mapHeaderCost + mapEntryCost*hint
	}
}

// chargeMapGrowth charges the entries a map has beyond the room it was made
// with: before and after are its lengths around an insertion.
func (b *budget) chargeMapGrowth(before, after, hint int) error {
	if after > before && after > hint {
		return b.charge(mapGrowthCost)
	}
	return nil
}

// tooCostlyError is the error of a message whose decoding would exceed its
// budget.
type tooCostlyError struct{ size int }

func (e *tooCostlyError) Error() string {
	return fmt.Sprintf("decoding the message of %d bytes would take more than %d bytes of memory (%d per byte plus %d KiB): "+
		"its structured data holds too many tiny objects; send such data as raw data",
		e.size, MaxAllocPerByte*e.size+AllocSlack, MaxAllocPerByte, AllocSlack>>10)
}

func (e *tooCostlyError) Unwrap() error { return cpluginv1.ErrMessageTooLarge }
