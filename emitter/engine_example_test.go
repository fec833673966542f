package emitter_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// An Emitter delivers a generated lifecycle, here to a verifying Receiver
// served in-process; WithRecord keeps one JSON line per attempt.
func ExampleEmitter_Run() {
	secret := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	p, _ := wire.NewPhasio(secret)
	rcv, _ := receiver.New(p)
	s, _ := generator.LoadScenario("phasio/quote-to-paid")
	gen, _ := generator.New(generator.ProviderPhasio, generator.WithScenario(s), generator.WithOrders(2))
	var record bytes.Buffer
	e, err := emitter.New(emitter.OneTarget(p, "http://receiver.test/hooks"),
		emitter.WithClient(emitter.HandlerClient(rcv)), emitter.WithRecord(&record),
		emitter.WithFaults(emitter.Faults{Duplicate: 0.25}), emitter.WithSeed(7))
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := e.Run(context.Background(), gen.Source())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("deliveries %d: %d ok, %d duplicates\n", sum.Deliveries, sum.OK, sum.Faults[wire.FaultDuplicate])
	attempts := 0
	_ = emitter.ReadRecords(&record, func(*emitter.Record) error { attempts++; return nil })
	st := rcv.Stats()
	fmt.Printf("%d records; receiver applied %d, duplicates %d\n", attempts, st.Applied, st.Duplicates)
	// Output:
	// deliveries 22: 22 ok, 4 duplicates
	// 22 records; receiver applied 18, duplicates 4
}

// Replay sends a recording again; Exact resends the recorded bytes.
func ExampleEmitter_Replay() {
	p, _ := wire.NewHappyColis("hc-client-secret")
	rcv, _ := receiver.New(p)
	gen, _ := generator.New(generator.ProviderHappyColis, generator.WithOrders(3))
	var record bytes.Buffer
	e, _ := emitter.New(emitter.OneTarget(p, "http://receiver.test/"),
		emitter.WithClient(emitter.HandlerClient(rcv)), emitter.WithRecord(&record),
		emitter.WithClock(func() time.Time { return time.Date(2025, 6, 15, 8, 0, 0, 0, time.UTC) }))
	if _, err := e.Run(context.Background(), gen.Source()); err != nil {
		fmt.Println(err)
		return
	}
	again, _ := emitter.New(emitter.OneTarget(p, "http://receiver.test/"), emitter.WithClient(emitter.HandlerClient(rcv)))
	sum, err := again.Replay(context.Background(), &record, emitter.ReplayOptions{Exact: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	st := rcv.Stats()
	fmt.Printf("replayed %d, %d ok; receiver: applied %d, duplicates %d\n", sum.Deliveries, sum.OK, st.Applied, st.Duplicates)
	// Output:
	// replayed 3, 3 ok; receiver: applied 3, duplicates 3
}
