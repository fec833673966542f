package generator

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrTransition is wrapped when a step's action does not apply to the
// order's state at that point (paying a paid order, moving a quote on the
// Kanban board, …).
var ErrTransition = errors.New("generator: invalid transition")

// action is one lifecycle transition of a provider's state machine.
type action struct {
	name string
	doc  string
	// delay is the default time since the previous event, drawn uniformly.
	delay [2]time.Duration
}

// phase is the abstract state of one order: enough to decide whether an
// action applies. Scenario checking and the generator share it, so the
// rules live in one place.
type phase interface {
	// advance applies st's action to the phase or says why it cannot.
	advance(st *Step) error
}

// machine is a provider's lifecycle engine.
type machine interface {
	actions() []action
	newPhase(board []KanbanColumn) phase
}

func machineFor(provider string) (machine, error) {
	switch provider {
	case ProviderPhasio:
		return phasioMachine{}, nil
	case ProviderHappyColis:
		return happyColisMachine{}, nil
	}
	return nil, &OptionError{Package: "generator", Option: "provider", Value: provider,
		Want: "not one of " + strings.Join(Providers(), ", "), Known: Providers(), Err: ErrProvider}
}

// Providers lists the platforms the generator produces events for.
func Providers() []string { return []string{ProviderPhasio, ProviderHappyColis} }

// ErrProvider is returned for a provider the generator does not know.
var ErrProvider = errors.New("generator: unknown provider")

func findAction(m machine, name string) (action, bool) {
	for _, a := range m.actions() {
		if a.name == name {
			return a, true
		}
	}
	return action{}, false
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func transitionf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTransition}, args...)...)
}
