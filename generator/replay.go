package generator

import (
	"fmt"
	"time"
)

// ScenarioFromEvents returns a scenario that sends exactly these events'
// payloads again, one notify step per event with its literal payload, spaced
// as the events were; Marshal saves it as a scenario file (e.g. a shrunk
// failing case). All events must be of one provider.
func ScenarioFromEvents(name string, events []*Event) (*Scenario, error) {
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: %s: no events", ErrScenario, name)
	}
	s := &Scenario{Version: ScenarioVersion, Name: name, Provider: events[0].Provider, source: name}
	for i, ev := range events {
		if ev.Provider != s.Provider {
			return nil, fmt.Errorf("%w: %s: event %d is %s, the first is %s", ErrScenario, name, i+1, ev.Provider, s.Provider)
		}
		st := Step{Event: ev.Event, Action: ActionNotify, Payload: Literal(append([]byte(nil), ev.Payload...))}
		if i > 0 {
			if d := ev.At.Sub(events[i-1].At).Truncate(time.Millisecond); d > 0 {
				st.After = d.String()
			}
		}
		s.Steps = append(s.Steps, st)
	}
	if _, err := s.compile(nil); err != nil {
		return nil, err
	}
	return s, nil
}
