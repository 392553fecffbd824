// Package cplugintest is the parity suite of the cpluginv1 transports: one
// set of cases that every way of reaching a connector (built-in through
// package builtin, standalone through packages client and server, in one
// process or as a real subprocess) must pass unchanged, so that a connector
// behaves the same in every mode.
//
// Transport authors import it from tests: they implement a [Harness] that
// serves the test connector ([Connector]) through their transport and call
// [Run]. Connector and host authors do not need it.
//
// # The test connector
//
// Because one mode runs the connector in its own process, the suite cannot
// hand it Go callbacks: the test connector is a single implementation whose
// behaviour is chosen by data, the configuration map given to Configure
// (which the source and the destination each get). The keys, all optional:
//
//   - "cplugintest.fail.<method>" = kind: the method fails. Methods are
//     configure, start, run, stop, teardown, lifecycle-on-created,
//     lifecycle-on-updated and lifecycle-on-deleted; kinds are
//     unimplemented, invalid-argument, failed-precondition,
//     message-too-large, canceled, deadline-exceeded (an error wrapping that
//     sentinel), plain (an error wrapping none), panic, and invalid-utf8 (an
//     error wrapping ErrInvalidArgument whose message is not valid UTF-8).
//   - "cplugintest.block" = comma-separated methods: they block until their
//     context ends.
//   - "cplugintest.old" = "true": the Lifecycle methods answer
//     ErrUnimplemented, as a connector that predates them.
//   - "cplugintest.journal" = "true": Teardown fails with a message listing
//     every call the plugin received and its data, so the suite can check
//     what crossed the transport.
//   - "cplugintest.source.run": what the source sends: "records" (the
//     default, [Records]), "endless" (until Stop), "unsupported" (a value
//     Send must reject, then a report of the rejection), "invalid-utf8"
//     (records holding strings that are not valid UTF-8, which Send must
//     all reject, then a report of the rejections), "sizes:N,M" (raw
//     payloads of N and M bytes), "none", or records that break the
//     contract's rules: "no-position" (pos-1, then pos-2 without its
//     position) or "undefined-operation:N" (pos-1, then pos-2 with
//     operation N).
//   - "cplugintest.source.require-acks" = "true": the source's Run fails if
//     the host closes the stream with records not acked.
//   - "cplugintest.source.stop": Stop breaks the protocol: "one-more" (one
//     record follows the one at the position Stop returned) or "empty" (an
//     empty position although records were sent).
//   - "cplugintest.destination.run" = "batch": the destination holds its
//     acks until Stop, instead of acking each record at once. Other values
//     break the rules for acks: "swap" (the acks of each pair of records in
//     the wrong order), "unknown" (an ack for "never-sent" instead),
//     "duplicate" (every ack twice) and "empty-ack" (acks without a
//     position).
//   - "cplugintest.specification" = "invalid-utf8" (to either plugin):
//     Specify answers from then on with a specification holding a string
//     that is not valid UTF-8.
//   - "cplugintest.schemas" = "true": Configure uses the host's schema
//     service and adds what it saw to the journal.
//
// Configure parses the map once into a typed configuration. A key starting
// with "cplugintest." that the connector does not know, or a value it does
// not understand, fails Configure with an error wrapping
// ErrInvalidArgument that names the key, so that a typo cannot pass for the
// default; other keys are ignored. (LifecycleOnDeleted without a Configure
// before it parses its map the same way.) The plugin keeps the map it got,
// as a connector may, and Teardown fails if the map has changed since:
// a transport must give the connector a map of its own.
//
// The destination nacks a record whose metadata holds "cplugintest.nack"
// (with its value as the error), one whose metadata holds
// "cplugintest.nack.invalid-utf8" (with an error that is not valid UTF-8),
// and one that has a position of [Records] but did not arrive as
// [Normalized] gives it.
//
// The source checks that acks arrive in order, Stop answers the last
// position it sent or will send, and both plugins answer calls out of the
// protocol's order with ErrFailedPrecondition. Teardown during Run ends the
// Run and waits for it to return, so that the journal shows how it ended. Package
// cpluginv1/cplugintest/testconnector serves the test connector from a
// standalone executable.
//
// # Files
//
// Each concept is in a file of its own. The suite: suite.go (Harness, Run
// and the table of cases), suite_env.go (a case's connector instance and
// the calls every case makes), suite_checks.go (the checks of errors and
// journals), and the cases by subject in suite_lifecycle.go,
// suite_source.go, suite_destination.go, suite_contract.go (records and
// acks that break the protocol's rules), suite_errors.go (the error table,
// with the table of the methods it makes fail), suite_context.go
// (cancellation and deadlines) and suite_data.go (values, sizes and text
// no transport may carry). The test connector: connector.go (Connector),
// connector_config.go (the configuration keys and their parsing),
// connector_failures.go (how a method fails when told to),
// connector_lifecycle.go (call order, journal, Teardown),
// connector_source.go, connector_destination.go, connector_records.go
// (the records it sends and expects), connector_specifier.go and
// connector_schemas.go.
package cplugintest
