package cplugintest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	m := map[string]string{
		keyFail + "stop":    "panic",
		keyFail + "run":     invalidUTF8,
		keyBlock:            "configure,teardown",
		keyOld:              "true",
		keyJournal:          "true",
		keySourceRun:        "sizes:1,0,300",
		keyRequireAcks:      "false",
		keySourceStop:       "one-more",
		keyDestinationRun:   "swap",
		keySpecification:    invalidUTF8,
		keySchemas:          "",
		"url":               "not the test connector's",
		"cplugintestish.ok": "not the test connector's either",
	}
	got, err := parseConfig(m)
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	want := config{
		given:                m,
		snapshot:             m,
		fail:                 map[string]string{"stop": "panic", "run": invalidUTF8},
		block:                map[string]bool{"configure": true, "teardown": true},
		old:                  true,
		journal:              true,
		sourceRun:            sourceRun{mode: "sizes", sizes: []int{1, 0, 300}},
		sourceStop:           stopOneMore,
		destinationRun:       acksSwap,
		invalidSpecification: true,
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(config{}, sourceRun{})); diff != "" {
		t.Errorf("parseConfig (-want +got):\n%s", diff)
	}

	if got, err := parseConfig(nil); err != nil || got.sourceRun.mode != "" || got.fail != nil || got.journal {
		t.Errorf("parseConfig(nil) = %+v, %v; want the zero config", got, err)
	}
	op, err := parseConfig(map[string]string{keySourceRun: "undefined-operation:7"})
	if err != nil || op.sourceRun.mode != "undefined-operation" || op.sourceRun.operation != 7 {
		t.Errorf("parseConfig(undefined-operation:7) = %+v, %v", op.sourceRun, err)
	}
}

// A value the test connector does not understand fails Configure, naming
// the key, so that a typo in a test cannot pass for the default.
func TestParseConfigRefusesWhatItDoesNotKnow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key, value, want string
	}{
		{keyFail + "stopp", "panic", `no method "stopp"`},
		{keyFail + "stop", "explode", `no failure kind "explode"`},
		{keyBlock, "run,", `no method ""`},
		{keyOld, "yes", `want one of "", "false", "true"`},
		{keySourceRun, "forever", "unknown mode"},
		{keySourceRun, "sizes:1,x", `bad size "x"`},
		{keySourceRun, "undefined-operation:", `bad operation ""`},
		{keySourceStop, "later", `want one of "", "one-more", "empty"`},
		{keyDestinationRun, "never", "want one of"},
		{keySpecification, "broken", `want one of "", "invalid-utf8"`},
		{"cplugintest.jounral", "true", "no such key"},
	} {
		cfg, err := parseConfig(map[string]string{"url": "x", tt.key: tt.value})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.key) ||
			!errors.Is(err, cpluginv1.ErrInvalidArgument) {
			t.Errorf("parseConfig(%s=%q) = %v, want an error naming the key, saying %q, wrapping ErrInvalidArgument", tt.key, tt.value, err, tt.want)
		}
		if cfg.journal || cfg.given != nil {
			t.Errorf("parseConfig(%s=%q) = %+v with its error, want the zero config", tt.key, tt.value, cfg)
		}
	}
}

// The test connector keeps the map Configure got (as a transport must let
// it) and fails Teardown if the map changed since: a transport that shares
// the host's map with the connector is caught. The suite's full runs
// change the host's map after Configure to see it.
func TestTeardownSeesSharedConfigMap(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	src := Connector().Source
	m := map[string]string{keyJournal: "true", "url": "x"}
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: m}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	delete(m, keyJournal) // the host changes its map: here it is the connector's, too
	_, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
	if err == nil || !strings.Contains(err.Error(), "the transport shares the host's map with the connector") {
		t.Fatalf("Teardown = %v, want an error saying the transport shares the map", err)
	}

	unshared := Connector().Destination
	if _, err := unshared.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{"url": "x"}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := unshared.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		t.Fatalf("Teardown of a plugin whose map did not change = %v, want nil", err)
	}
}
