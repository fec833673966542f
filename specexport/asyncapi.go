package specexport

import (
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/provider"
)

// asyncAPI builds the AsyncAPI 3.0 document: a send operation per event
// on a channel per event (when each event has its own URL) or one channel
// (the receiver's URL, events told apart by a header or the body), its
// message carrying the payload and the headers, with HTTP bindings.
func asyncAPI(d *provider.Definition) (*jsontree.Object, error) {
	evs, err := events(d)
	if err != nil {
		return nil, err
	}
	b := newBundler(dialectDraft07)
	req := d.Request() // its defaults filled in: POST, application/json
	method, ct := strings.ToUpper(req.Method), req.ContentType
	// Events told apart by nothing but their URL (or not told apart: an
	// imported document's webhooks) get a channel each.
	match := d.EventsSpec().Match
	perURL := len(match) == 0
	for _, m := range match {
		perURL = perURL || m.URL
	}
	keys := map[string]bool{}
	key := func(s string) string {
		k := strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_")
		if k == "" {
			k = "event"
		}
		u := k
		for i := 2; keys[u]; i++ {
			u = k + "_" + strconv.Itoa(i)
		}
		keys[u] = true
		return u
	}
	channels, operations, messages := &jsontree.Object{}, &jsontree.Object{}, &jsontree.Object{}
	const shared = "webhooks"
	if !perURL {
		keys[shared] = true
		channels.Set(shared, obj("address", nil, "title", d.Title()+" webhooks",
			"description", "The receiver's webhook URL: every event is sent to it, told apart by "+toldApart(d)+".",
			"messages", &jsontree.Object{}))
	}
	for _, ev := range evs {
		body, err := bodySchema(b, d, ev)
		if err != nil {
			return nil, err
		}
		k := key(ev.wire)
		msg := obj("name", ev.wire)
		if ev.title != "" && ev.title != ev.wire {
			msg.Set("title", ev.title)
		}
		if ev.description != "" {
			msg.Set("description", ev.description)
		}
		msg.Set("contentType", ct)
		if hs := headers(d, ev); len(hs) > 0 {
			var req []any
			props := &jsontree.Object{}
			for _, h := range hs {
				s := jsontree.Clone(h.schema).(*jsontree.Object)
				if h.description != "" {
					s.Set("description", h.description)
				}
				props.Set(h.name, s)
				if h.required {
					req = append(req, h.name)
				}
			}
			hdr := obj("type", "object")
			if len(req) > 0 {
				hdr.Set("required", req)
			}
			hdr.Set("properties", props)
			msg.Set("headers", hdr)
		}
		msg.Set("payload", body)
		msg.Set("bindings", obj("http", obj("bindingVersion", httpBindingVersion)))
		messages.Set(k, msg)
		chKey := shared
		if perURL {
			chKey = k
			channels.Set(chKey, obj("address", nil, "title", ev.wire,
				"description", "The receiver's URL for "+ev.wire+" webhooks (one URL, and one secret, per event).",
				"messages", &jsontree.Object{}))
		}
		ch, _ := channels.Get(chKey)
		chMsgs, _ := ch.(*jsontree.Object).Get("messages")
		chMsgs.(*jsontree.Object).Set(ev.wire, obj("$ref", "#/components/messages/"+k))
		op := obj("action", "send", "channel", obj("$ref", "#/channels/"+chKey))
		if ev.title != "" && ev.title != ev.wire {
			op.Set("title", ev.title)
		}
		op.Set("summary", "Sends "+ev.wire+".")
		op.Set("messages", []any{obj("$ref", "#/channels/"+chKey+"/messages/"+jsonptr.Escape(ev.wire))})
		op.Set("bindings", obj("http", obj("method", method, "bindingVersion", httpBindingVersion)))
		operations.Set(k, op)
	}
	doc := obj("asyncapi", AsyncAPIVersion, "info", info(d), "defaultContentType", ct,
		"channels", channels, "operations", operations)
	doc.Set("components", obj("messages", messages, "schemas", b.comps))
	return doc, nil
}

// toldApart says how a receiver tells events apart.
func toldApart(d *provider.Definition) string {
	var out []string
	for _, m := range d.EventsSpec().Match {
		switch {
		case m.Header != "":
			out = append(out, "the "+m.Header+" header")
		case m.Pointer != "":
			out = append(out, m.Pointer+" of the body")
		}
	}
	if len(out) == 0 {
		return "their payloads"
	}
	return strings.Join(out, " and ")
}
