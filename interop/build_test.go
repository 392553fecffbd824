package interop_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// binDir holds the executables the tests build, once per test binary run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "interop-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	// Every client was closed: none of its goroutines may outlive it, even
	// with a connector from another implementation on the other end.
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "interop: goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// binary is an executable of this module that the tests build on first use.
type binary struct {
	pkg  string // package path relative to the module root
	race bool   // build with the race detector (when the test runs with it)

	once sync.Once
	path string
	err  error
}

var (
	// sdkConnector is built with the existing SDK only.
	sdkConnector = &binary{pkg: "./sdkconnector"}
	// ourConnector is built with this repository only. Under -race it is
	// built with the race detector too, so a data race in cpluginv1/server
	// stops it (GORACE=halt_on_error=1) and fails the test.
	ourConnector = &binary{pkg: "./ourconnector", race: raceEnabled}
	// exampleGenerator and exampleFile serve this repository's reference
	// connectors (examples/sequence, examples/jsonlines) as standalone
	// processes.
	exampleGenerator = &binary{pkg: "./examples/sequence", race: raceEnabled}
	exampleFile      = &binary{pkg: "./examples/jsonlines", race: raceEnabled}
	// legacyHost is built with the existing host client only.
	legacyHost = &binary{pkg: "./legacyhost"}
)

// Path builds the binary if needed and returns its path. The two protocol
// implementations register the same proto file names, so each binary links
// exactly one of them; they meet only over the plugin handshake.
func (b *binary) Path(t *testing.T) string {
	t.Helper()
	b.once.Do(func() {
		b.path = filepath.Join(binDir, strings.NewReplacer("./", "", "/", "-").Replace(b.pkg))
		args := []string{"build", "-o", b.path}
		if b.race {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, b.pkg)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %v: %w\n%s", cmd.Args[1:], err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}
