// Package positions keeps the bookkeeping both ends of a Run stream need to
// hold the other side to the protocol's rules for records and acks: the
// positions of the records sent and not acked yet, in order, and of the
// most recent acked ones, so that an ack can be classified as the expected
// one, out of order, a duplicate, or for a position never sent. It also
// checks a record against the contract's rules for records, and words the
// messages for both, naming positions readably ([Format]), so that every
// end reports the same fault in the same words.
//
// The host's end of a Run stream (cpluginv1.SourceRun and
// cpluginv1.DestinationRun) and the connector's end in package
// cpluginv1/server use it. Nothing outside cpluginv1 can import it.
package positions
