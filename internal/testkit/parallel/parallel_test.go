package parallel

import (
	"flag"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m, 8) }

// TestRunsTogether: eight parallel tests are under way at once, which the
// default of one per CPU would not allow on a machine with fewer than
// eight (each waits for all eight, a few seconds at most).
func TestRunsTogether(t *testing.T) {
	if os.Getenv("PARALLEL_TEST_GIVEN") != "" {
		t.Skip("run by TestCommandLineWins")
	}
	var wg sync.WaitGroup
	wg.Add(8)
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	for i := range 8 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			wg.Done()
			select {
			case <-all:
			case <-time.After(5 * time.Second):
				t.Errorf("test %d: not all eight were under way after 5s", i)
			}
		})
	}
}

// TestCommandLineWins: -test.parallel given on the command line stays.
func TestCommandLineWins(t *testing.T) {
	if os.Getenv("PARALLEL_TEST_GIVEN") != "" {
		if got := flagValue(); got != "3" {
			t.Fatalf("-test.parallel is %s, want the command line's 3", got)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCommandLineWins$", "-test.parallel=3")
	cmd.Env = append(os.Environ(), "PARALLEL_TEST_GIVEN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func flagValue() string { return flag.Lookup("test.parallel").Value.String() }
