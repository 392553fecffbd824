package checker

import (
	"context"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
)

func builtinLauncher(ref string) Launcher {
	return func(ctx context.Context, observe connector.Observer) (*connector.Instance, error) {
		return connector.Open(ctx, ref, connector.Options{Observer: observe})
	}
}

func TestBuiltinExamplesPass(t *testing.T) {
	for _, ref := range []string{"builtin:generator", "builtin:file"} {
		t.Run(ref, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			report := Run(ctx, Config{Connector: ref, Launch: builtinLauncher(ref), DestinationConfig: map[string]string{"max.line.size": "2048"}})
			for _, r := range report.Results {
				t.Logf("%-5s %-28s %s %v", r.Status, r.ID, r.Detail, r.Problems)
			}
			if !report.OK {
				t.Errorf("report not OK")
			}
		})
	}
}
