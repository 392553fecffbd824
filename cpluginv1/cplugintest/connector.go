package cplugintest

import (
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// Plugins are the three plugins of one connector instance.
type Plugins struct {
	// Specifier describes the connector.
	Specifier cpluginv1.SpecifierPlugin
	// Source reads records.
	Source cpluginv1.SourcePlugin
	// Destination writes records.
	Destination cpluginv1.DestinationPlugin
}

// Connector returns a new instance of the test connector the suite drives.
// Its source and destination are independent of each other; each behaves as
// the configuration given to its Configure says (see the package
// documentation for the keys). A harness serves the instance through the
// transport under test; cpluginv1/cplugintest/testconnector serves one in a
// standalone process.
func Connector() Plugins {
	shared := &shared{}
	return Plugins{
		Specifier:   specifier{shared: shared},
		Source:      &source{lifecycle: lifecycle{side: "source", shared: shared}},
		Destination: &destination{lifecycle: lifecycle{side: "destination", shared: shared}},
	}
}

// shared is the state of one connector instance that its plugins share.
type shared struct {
	// invalidSpecification makes Specify answer with a specification that
	// is not valid UTF-8 (see keySpecification).
	invalidSpecification atomic.Bool
}
