package cplugintest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// lifecycle is the state both plugins share: the configuration, where in
// the call order the plugin is, and the journal of calls.
type lifecycle struct {
	side   string  // "source" or "destination", for messages
	shared *shared // the state the connector's plugins share

	mu         sync.Mutex
	config     config
	configured bool
	started    bool
	running    bool
	tornDown   bool
	journal    []string
	endRun     context.CancelFunc // ends the active Run (Teardown calls it)
	runEnded   chan struct{}      // made by Start, closed when Run returns
}

// begin records a call in the journal, answers FAILED_PRECONDITION if it
// comes after Teardown or check says it is out of order, and then fails,
// panics or blocks if the configuration says so. cfg is the configuration
// that decides (Configure's own for Configure); nil means the stored one.
func (l *lifecycle) begin(ctx context.Context, method, entry string, cfg *config, check func() error) error {
	l.mu.Lock()
	l.journal = append(l.journal, entry)
	var err error
	switch {
	case l.tornDown:
		err = precondition(l.side, method, "called after Teardown")
	case check != nil:
		err = check()
	}
	if cfg == nil {
		cfg = &l.config
	}
	fail, block := cfg.fail, cfg.block
	l.mu.Unlock()
	if err != nil {
		return err
	}

	if kind, ok := fail[method]; ok {
		return failure(l.side, method, kind)
	}
	if block[method] {
		<-ctx.Done()
		return fmt.Errorf("cplugintest %s %s: blocked until the context ended: %w", l.side, method, ctx.Err())
	}
	return nil
}

// configure parses the configuration map, which it keeps (see
// config.given), and stores what it says. A map it cannot parse fails the
// call, after the journal entry and the check of the call order.
func (l *lifecycle) configure(ctx context.Context, m map[string]string) error {
	cfg, parseErr := parseConfig(m)
	err := l.begin(ctx, "configure", fmt.Sprintf("Configure(%q)", m), &cfg, func() error {
		if l.started {
			return precondition(l.side, "configure", "called after Start")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if parseErr != nil {
		return fmt.Errorf("cplugintest %s configure: %w", l.side, parseErr)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.config = cfg
	l.configured = true
	if cfg.invalidSpecification {
		l.shared.invalidSpecification.Store(true)
	}
	if cfg.schemas {
		l.mu.Unlock()
		entry := useSchemaService(ctx)
		l.mu.Lock()
		l.journal = append(l.journal, entry)
	}
	return nil
}

// lifecycleEvent handles the three Lifecycle calls: they come after
// Configure and before Start, except LifecycleOnDeleted, which may also come
// alone, with the configuration the connector had (eventConfig), which it
// then parses as Configure does.
func (l *lifecycle) lifecycleEvent(ctx context.Context, method, entry string, eventConfig map[string]string) (old bool, err error) {
	err = l.begin(ctx, method, entry, nil, func() error {
		// A deleted connector gets LifecycleOnDeleted alone: the Conduit
		// server sends no Configure before it.
		if method == "lifecycle-on-deleted" && !l.configured && !l.started {
			cfg, err := parseConfig(eventConfig)
			if err != nil {
				return fmt.Errorf("cplugintest %s %s: %w", l.side, method, err)
			}
			l.config = cfg
			return nil
		}
		if !l.configured || l.started {
			return precondition(l.side, method, "must come after Configure and before Start")
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.config.old, nil
}

func (l *lifecycle) start(ctx context.Context, entry string) error {
	err := l.begin(ctx, "start", entry, nil, func() error {
		if !l.configured || l.started {
			return precondition(l.side, "start", "must come once, after Configure")
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.started = true
	l.runEnded = make(chan struct{})
	return nil
}

// beginRun checks and records the start of a Run and returns the context
// Run works in, which ends when ctx ends or Teardown is called, and the
// configuration.
func (l *lifecycle) beginRun(ctx context.Context) (context.Context, config, error) {
	err := l.begin(ctx, "run", "Run", nil, func() error {
		if !l.started || l.running {
			return precondition(l.side, "run", "must come once, after Start")
		}
		return nil
	})
	if err != nil {
		return nil, config{}, err
	}
	runCtx, endRun := context.WithCancel(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running = true
	l.endRun = endRun
	return runCtx, l.config, nil
}

// endOfRun records the end of Run with its result and wakes up what waits
// for it.
func (l *lifecycle) endOfRun(entry string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.journal = append(l.journal, entry)
	l.endRun()
	close(l.runEnded)
}

func (l *lifecycle) teardown(ctx context.Context) error {
	if err := l.begin(ctx, "teardown", "Teardown", nil, nil); err != nil {
		return err
	}
	l.mu.Lock()
	l.tornDown = true
	endRun, runEnded := l.endRun, l.runEnded
	l.mu.Unlock()
	if endRun != nil {
		// Teardown may come during Run: end it, and wait until it has
		// returned, so that the journal holds how it ended. (Over gRPC the
		// host may see the end of the stream before the connector's Run
		// has returned.)
		endRun()
		select {
		case <-runEnded:
		case <-ctx.Done():
			return fmt.Errorf("cplugintest %s teardown: waiting for Run to return: %w", l.side, ctx.Err())
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.config.checkUnchanged(); err != nil {
		return fmt.Errorf("cplugintest %s teardown: %w", l.side, err)
	}
	if l.config.journal {
		return errors.New("journal: " + strings.Join(l.journal, "; "))
	}
	return nil
}

// runResult returns what Run returns once its context ended: ctx's error if
// the host cancelled the call, nil if Teardown ended the Run.
func runResult(ctx context.Context) error {
	return ctx.Err()
}
