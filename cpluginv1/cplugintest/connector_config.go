package cplugintest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The configuration keys the test connector reads from Configure's config
// map. They are the wire between the suite (or any other host, such as the
// tests in reliability/) and the test connector, which may run in another
// process; [parseConfig] reads them into a [config].
const (
	// keyFail + a method name (see methods) makes that method fail; the
	// value names how (see failures).
	keyFail = "cplugintest.fail."
	// keyBlock lists, comma-separated, the methods that block until their
	// context ends and then return its error.
	keyBlock = "cplugintest.block"
	// keyOld "true" makes the Lifecycle methods answer ErrUnimplemented, as
	// a connector that predates them does.
	keyOld = "cplugintest.old"
	// keyJournal "true" makes Teardown fail with a message listing every
	// call the plugin got, with its data: "journal: Configure(...); ...".
	keyJournal = "cplugintest.journal"
	// keySourceRun says what the source's Run sends (see sourceRun).
	keySourceRun = "cplugintest.source.run"
	// keyRequireAcks "true" makes the source's Run fail when the host closes
	// the stream before it acked every record sent.
	keyRequireAcks = "cplugintest.source.require-acks"
	// keySourceStop makes the source's Stop break the protocol (see
	// stopMode).
	keySourceStop = "cplugintest.source.stop"
	// keyDestinationRun says how the destination acks (see ackMode).
	keyDestinationRun = "cplugintest.destination.run"
	// keySpecification "invalid-utf8", given to either plugin's Configure,
	// makes Specify answer from then on with a specification whose source
	// parameter "url" has a description that is not valid UTF-8.
	keySpecification = "cplugintest.specification"
	// keySchemas "true" makes Configure exercise the host's schema service
	// (see useSchemaService) and add what it saw to the journal.
	keySchemas = "cplugintest.schemas"
)

// keyPrefix starts every configuration key of the test connector; keys
// without it (a connector's ordinary settings, such as the suite's "url")
// are not the test connector's business.
const keyPrefix = "cplugintest."

// methods are the names of the methods keyFail and keyBlock name.
var methods = []string{
	"configure", "start", "run", "stop", "teardown",
	"lifecycle-on-created", "lifecycle-on-updated", "lifecycle-on-deleted",
}

// config is the test connector's configuration: the map Configure got,
// parsed once. The zero config is the connector's default behaviour.
type config struct {
	// given is the map as the plugin got it, deliberately not copied,
	// and snapshot a copy taken then: a transport must give the connector
	// a map of its own, and Teardown fails if the two differ (see
	// checkUnchanged).
	given, snapshot map[string]string

	fail                 map[string]string // method → failure kind (keyFail)
	block                map[string]bool   // methods that block (keyBlock)
	old                  bool              // keyOld
	journal              bool              // keyJournal
	sourceRun            sourceRun         // keySourceRun
	requireAcks          bool              // keyRequireAcks
	sourceStop           stopMode          // keySourceStop
	destinationRun       ackMode           // keyDestinationRun
	invalidSpecification bool              // keySpecification
	schemas              bool              // keySchemas
}

// sourceRun is what the source's Run sends (keySourceRun), which
// [sourceRun.producer] turns into records.
type sourceRun struct {
	// mode is one of:
	//
	//   - "" or "records": Records(), then nothing.
	//   - "endless": records pos-1, pos-2, ... until Stop.
	//   - "unsupported": a record holding an integer beyond 2^53, which
	//     Send must reject, then one with position "report" whose metadata
	//     holds the rejection's message, then nothing.
	//   - "invalid-utf8": the records of invalidUTF8Records, which Send must
	//     all reject, then one with position "report" whose metadata holds
	//     the rejections' messages, one per line, then nothing.
	//   - "sizes:N,M,...": records size-1, size-2, ... whose raw payloads
	//     are N, M, ... bytes long (sizes).
	//   - "none": nothing.
	//   - "no-position": record pos-1, then pos-2 without its position,
	//     then nothing.
	//   - "undefined-operation:N": record pos-1, then pos-2 with operation
	//     N (operation), then nothing.
	mode      string
	sizes     []int
	operation cpluginv1.Operation
}

// stopMode is how the source's Stop breaks the protocol (keySourceStop).
type stopMode string

const (
	// stopKeeps: Stop answers the last position sent, and nothing follows.
	stopKeeps stopMode = ""
	// stopOneMore: one record follows the one at the position Stop
	// returned.
	stopOneMore stopMode = "one-more"
	// stopEmpty: Stop answers an empty position although records were sent.
	stopEmpty stopMode = "empty"
)

// ackMode is how the destination acks (keyDestinationRun).
type ackMode string

const (
	// acksAtOnce: each record is acked as soon as it arrived.
	acksAtOnce ackMode = ""
	// acksBatch: acks are held until Stop, as a connector that writes in
	// batches does.
	acksBatch ackMode = "batch"
	// The other modes break the protocol's rules for acks (see
	// ackMisbehaviour).
	acksSwap      ackMode = "swap"
	acksUnknown   ackMode = "unknown"
	acksDuplicate ackMode = "duplicate"
	acksEmpty     ackMode = "empty-ack"
)

// parseConfig reads the configuration map a plugin got. A key of the test
// connector that it does not know, or a value it does not understand, is
// an error wrapping ErrInvalidArgument that names the key; it then returns
// the zero config. Keys of others are ignored.
func parseConfig(m map[string]string) (config, error) {
	c := config{given: m, snapshot: maps.Clone(m)}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		if err := c.set(key, m[key]); err != nil {
			return config{}, fmt.Errorf("%s=%q: %w: %w", key, m[key], err, cpluginv1.ErrInvalidArgument)
		}
	}
	return c, nil
}

// set sets what key says to value, or says what is wrong with it.
func (c *config) set(key, value string) error {
	var err error
	switch {
	case !strings.HasPrefix(key, keyPrefix):
	case strings.HasPrefix(key, keyFail):
		method := strings.TrimPrefix(key, keyFail)
		if !slices.Contains(methods, method) {
			return fmt.Errorf("no method %q; want one of %s", method, strings.Join(methods, ", "))
		}
		if _, ok := failures[value]; !ok && value != invalidUTF8 {
			return fmt.Errorf("no failure kind %q; want one of %s", value, strings.Join(slices.Sorted(maps.Keys(failures)), ", ")+", "+invalidUTF8)
		}
		if c.fail == nil {
			c.fail = map[string]string{}
		}
		c.fail[method] = value
	case key == keyBlock && value == "": // nothing blocks
	case key == keyBlock:
		c.block = map[string]bool{}
		for method := range strings.SplitSeq(value, ",") {
			if !slices.Contains(methods, method) {
				return fmt.Errorf("no method %q; want one of %s", method, strings.Join(methods, ", "))
			}
			c.block[method] = true
		}
	case key == keyOld:
		c.old, err = parseFlag(value)
	case key == keyJournal:
		c.journal, err = parseFlag(value)
	case key == keySourceRun:
		c.sourceRun, err = parseSourceRun(value)
	case key == keyRequireAcks:
		c.requireAcks, err = parseFlag(value)
	case key == keySourceStop:
		c.sourceStop, err = oneOf(value, stopKeeps, stopOneMore, stopEmpty)
	case key == keyDestinationRun:
		c.destinationRun, err = oneOf(value, acksAtOnce, acksBatch, acksSwap, acksUnknown, acksDuplicate, acksEmpty)
	case key == keySpecification:
		var spec string
		spec, err = oneOf(value, "", invalidUTF8)
		c.invalidSpecification = spec == invalidUTF8
	case key == keySchemas:
		c.schemas, err = parseFlag(value)
	default:
		return errors.New("the test connector has no such key")
	}
	return err
}

// parseFlag reads a flag: "true", or "false" or "" for false.
func parseFlag(value string) (bool, error) {
	_, err := oneOf(value, "", "false", "true")
	return value == "true", err
}

// oneOf returns value as a T if it is one of allowed.
func oneOf[T ~string](value string, allowed ...T) (T, error) {
	if !slices.Contains(allowed, T(value)) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = strconv.Quote(string(a))
		}
		return "", fmt.Errorf("want one of %s", strings.Join(names, ", "))
	}
	return T(value), nil
}

// parseSourceRun reads the value of keySourceRun (see sourceRun).
func parseSourceRun(value string) (sourceRun, error) {
	mode, arg, hasArg := strings.Cut(value, ":")
	switch {
	case !hasArg && slices.Contains([]string{"", "records", "endless", "unsupported", invalidUTF8, "none", "no-position"}, mode):
		return sourceRun{mode: mode}, nil
	case hasArg && mode == "sizes":
		r := sourceRun{mode: mode}
		for field := range strings.SplitSeq(arg, ",") {
			size, err := strconv.Atoi(field)
			if err != nil || size < 0 {
				return sourceRun{}, fmt.Errorf("bad size %q", field)
			}
			r.sizes = append(r.sizes, size)
		}
		return r, nil
	case hasArg && mode == "undefined-operation":
		op, err := strconv.ParseInt(arg, 10, 32)
		if err != nil {
			return sourceRun{}, fmt.Errorf("bad operation %q", arg)
		}
		return sourceRun{mode: mode, operation: cpluginv1.Operation(op)}, nil
	default:
		return sourceRun{}, errors.New("unknown mode")
	}
}

// checkUnchanged returns an error if the map the plugin was configured
// with has changed since: then the transport shares the host's map with
// the connector, instead of giving the connector a map of its own.
func (c config) checkUnchanged() error {
	if maps.Equal(c.given, c.snapshot) {
		return nil
	}
	return fmt.Errorf("the configuration map changed after the plugin got it (now %q, was %q): "+
		"the transport shares the host's map with the connector", c.given, c.snapshot)
}
