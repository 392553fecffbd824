package checker

// The checks, in the order they are reported. The IDs are stable.
var (
	checkConnect = check{"connect", "the connector starts and completes the plugin handshake", Must}

	checkSpecify     = check{"spec.specify", "Specify answers", Must}
	checkSpecName    = check{"spec.name", "the specification names the connector", Must}
	checkSpecParams  = check{"spec.params", "the parameters satisfy the contract's rules", Must}
	checkSpecVersion = check{"spec.version", `the version is "v"-prefixed semantic versioning`, Should}
	checkSpecSummary = check{"spec.summary", "the specification has a summary and an author", Should}

	checkSourceUnimplemented = check{"source.unimplemented", "a connector without a source answers every source call with Unimplemented", Must}
	checkSourceConfigure     = check{"source.configure", "Configure accepts the configuration", Must}
	checkSourceLifecycle     = check{"source.lifecycle", "lifecycle events succeed, also with nothing to do", Must}
	checkSourceDeleted       = check{"source.deleted", "LifecycleOnDeleted succeeds as a fresh process's first call, as when Conduit deletes a connector", Must}
	checkSourceStart         = check{"source.start", "Start succeeds", Must}
	checkSourceRecords       = check{"source.records", "every record satisfies the contract's rules and has its own position", Must}
	checkSourceRun           = check{"source.run", "Run streams records until the host closes the stream, then ends without an error", Must}
	checkSourceStop          = check{"source.stop", "Stop answers", Must}
	checkSourceStopPosition  = check{"source.stop-position", "the stream reaches the position Stop returned, and no record follows it", Must}
	checkSourceResume        = check{"source.resume", "a restart from a position continues right after it", Should}
	checkSourceTeardown      = check{"source.teardown", "Teardown works at any time: before Configure, during Run once the host ended the stream, after Stop", Must}
	checkSourceTeardownRun   = check{"source.teardown-run", "Teardown during Run, with the stream still open, answers and ends the Run call", Should}
	checkSourceCallOrder     = check{"source.call-order", "a call out of order answers FailedPrecondition", Should}

	checkDestinationUnimplemented = check{"destination.unimplemented", "a connector without a destination answers every destination call with Unimplemented", Must}
	checkDestinationConfigure     = check{"destination.configure", "Configure accepts the configuration", Must}
	checkDestinationLifecycle     = check{"destination.lifecycle", "lifecycle events succeed, also with nothing to do", Must}
	checkDestinationDeleted       = check{"destination.deleted", "LifecycleOnDeleted succeeds as a fresh process's first call, as when Conduit deletes a connector", Must}
	checkDestinationStart         = check{"destination.start", "Start succeeds", Must}
	checkDestinationRun           = check{"destination.run", "Run takes records until the host closes the stream, then ends without an error", Must}
	checkDestinationAcks          = check{"destination.acks", "every record gets one valid ack, in the order the records were sent", Must}
	checkDestinationNack          = check{"destination.nack", "a negative ack keeps the stream open", Must}
	checkDestinationStop          = check{"destination.stop", "Stop answers once every record up to the position it names is acked", Must}
	checkDestinationTeardown      = check{"destination.teardown", "Teardown works at any time: before Configure, during Run once the host ended the stream, after Stop", Must}
	checkDestinationTeardownRun   = check{"destination.teardown-run", "Teardown during Run, with the stream still open, answers and ends the Run call", Should}
	checkDestinationCallOrder     = check{"destination.call-order", "a call out of order answers FailedPrecondition", Should}
)

var specChecks = []check{checkSpecify, checkSpecName, checkSpecParams, checkSpecVersion, checkSpecSummary}

// sourceChecks are the checks of a connector that offers a source, after
// source.configure.
var sourceChecks = []check{
	checkSourceConfigure, checkSourceLifecycle, checkSourceDeleted, checkSourceStart, checkSourceRecords, checkSourceRun,
	checkSourceStop, checkSourceStopPosition, checkSourceResume, checkSourceTeardown, checkSourceTeardownRun, checkSourceCallOrder,
}

var destinationChecks = []check{
	checkDestinationConfigure, checkDestinationLifecycle, checkDestinationDeleted, checkDestinationStart, checkDestinationRun,
	checkDestinationAcks, checkDestinationNack, checkDestinationStop, checkDestinationTeardown, checkDestinationTeardownRun,
	checkDestinationCallOrder,
}

// IDs returns the IDs of every check the checker knows, in report order.
func IDs() []string {
	all := []check{checkConnect}
	all = append(all, specChecks...)
	all = append(all, checkSourceUnimplemented)
	all = append(all, sourceChecks...)
	all = append(all, checkDestinationUnimplemented)
	all = append(all, destinationChecks...)
	ids := make([]string, len(all))
	for i, c := range all {
		ids[i] = c.id
	}
	return ids
}
