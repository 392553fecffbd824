// Package benchmarks measures what moving a record through the connector
// protocol costs, next to baselines measured in the same run: a bare gRPC
// stream carrying the same bytes (the transport limit) and a bare Go
// channel carrying the same records with the same copies (the in-process
// limit).
//
// It has no code of its own besides the benchmarks: run them with
// `make bench`, which prints one table and writes build/performance.md
// (`make bench-doc` copies it to docs/performance.md), or
// directly:
//
//	go test -run='^$' -bench=. -benchtime=1s ./benchmarks
//
// The conversion and validation benchmarks live next to the converters, in
// internal/toproto, because those packages are internal to
// cpluginv1.
//
// Every benchmark counts one operation per record and reports records/s,
// ns/record, cpu-ns/record, B/record and allocs/record. For the standalone
// benchmarks and the bare gRPC baseline, CPU time and allocations are those
// of both processes: the connector process reports its own counters
// through a file. With BENCH_PROFILE set to a directory, every connector
// process writes its CPU and allocation profiles there (see
// internal/benchconnector); -cpuprofile and -memprofile cover the host's
// side.
package benchmarks
