// Package nothinglost tests that a pipeline of standalone connectors loses
// and duplicates nothing when its source process is killed mid-stream and
// restarted, again and again.
//
// The test pipes 100,000 records from the example generator
// (examples/sequence/cmd/sequence) to the example file destination
// (examples/jsonlines/cmd/jsonlines), both standalone processes that TestMain builds.
// At random points, chosen from a seed (printed; set NOTHINGLOST_SEED to
// replay a run), it kills the source with SIGKILL right after forwarding a
// record, while records are still in flight on both streams, and restarts
// it from the position a real host would have persisted. It then checks
// that every position was written to the file exactly once, in order, and
// that the accounting adds up.
//
// Why exactly once holds: the host forwards records to the destination in
// the order the source produced them and persists the position of the last
// record the destination acked. After a kill it first waits for the
// destination to ack every record already forwarded (so that nothing
// forwarded is still undecided), then restarts the source from the last
// acked position. Records the dead source had sent that never reached the
// host are produced again by the new source, because they come after that
// position; records that reached the destination are not, because they come
// before it. The package holds only tests.
package nothinglost
