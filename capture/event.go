package capture

import "github.com/orderhooks/orderhooks/generator"

// GeneratorEvent returns the event a verified delivery carried, in the
// generator's form (the platform's provider and event name, also for a
// Standard Webhooks delivery), so that its request can be built again by a
// profile: replayed with another secret, or copied as a signed command.
// It returns nil when the delivery has no verified payload.
func (d *Delivery) GeneratorEvent() *generator.Event {
	if len(d.Payload) == 0 || d.Event == "" {
		return nil
	}
	provider, event := platformEvent(d)
	payload, err := compactJSON(d.Payload)
	if err != nil {
		return nil
	}
	return &generator.Event{Seq: d.ID, Provider: provider, Event: event, OrderKey: d.Key, At: d.ReceivedAt, Payload: payload}
}
