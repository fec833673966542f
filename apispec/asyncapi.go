package apispec

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
)

// asyncapi lists the messages of the send operations.
func (w *walker) asyncapi(root map[string]any) error {
	main := target{w.s.main, ""}
	defaultCT, _ := root["defaultContentType"].(string)
	ops, ok := root["operations"]
	if !ok {
		return w.s.main.errorf("", nil, "no operations: the document describes nothing its application sends")
	}
	om, ok := ops.(map[string]any)
	if !ok {
		return w.s.main.errorf("/operations", nil, "operations must be a mapping, not %s", jsontree.Kind(ops))
	}
	var events []*Event
	count := map[string]int{}
	for _, key := range sortedKeys(om) {
		if err := w.l.ctx.Err(); err != nil {
			return err
		}
		at := main.child("operations", key)
		opAt, op, err := w.object(at, "an operation")
		if err != nil {
			return err
		}
		if action, _ := op["action"].(string); action != "send" {
			w.skip(at.ptr, "action %v, not send", op["action"])
			continue
		}
		if _, ok := op["channel"]; !ok {
			return opAt.doc.errorf(opAt.ptr, nil, "an operation needs a channel")
		}
		chAt, ch, err := w.object(opAt.child("channel"), "a channel")
		if err != nil {
			return err
		}
		chKey := ""
		if p, err := jsonptr.Parse(chAt.ptr); err == nil && len(p) == 2 && p[0] == "channels" {
			chKey = p[1]
		}
		address, _ := ch["address"].(string)
		type msgRef struct {
			key string
			t   target
		}
		var msgs []msgRef
		if list, ok := op["messages"].([]any); ok {
			for i, it := range list {
				t := opAt.child("messages", fmt.Sprint(i))
				k := fmt.Sprint(i)
				if m, ok := it.(map[string]any); ok {
					if ref, ok := m["$ref"].(string); ok {
						if j := strings.LastIndex(ref, "/"); j >= 0 {
							k = ref[j+1:]
						}
						// The message's name is the last token of the
						// reference's pointer, unescaped.
						if _, frag, ok := strings.Cut(ref, "#"); ok {
							if p, err := jsonptr.ParseFragment(frag); err == nil && len(p) > 0 {
								k = p[len(p)-1]
							}
						}
					}
				}
				msgs = append(msgs, msgRef{k, t})
			}
		} else if cm, ok := ch["messages"].(map[string]any); ok {
			for _, k := range sortedKeys(cm) {
				msgs = append(msgs, msgRef{k, chAt.child("messages", k)})
			}
		}
		if len(msgs) == 0 {
			w.skip(at.ptr, "no messages")
			continue
		}
		opSummary, _ := op["summary"].(string)
		opDesc, _ := op["description"].(string)
		for _, mr := range msgs {
			msgAt, msg, err := w.object(mr.t, "a message")
			if err != nil {
				return err
			}
			if _, ok := msg["payload"]; !ok {
				w.skip(mr.t.ptr, "message %s has no payload", mr.key)
				continue
			}
			ct, _ := msg["contentType"].(string)
			if ct == "" {
				ct = defaultCT
			}
			if ct == "" {
				ct = "application/json"
			}
			if !isJSONMedia(ct) {
				w.skip(mr.t.ptr, "message %s is %s, not JSON", mr.key, ct)
				continue
			}
			payload := msgAt.child("payload")
			if pm, ok := msg["payload"].(map[string]any); ok {
				if f, ok := pm["schemaFormat"].(string); ok {
					if !jsonSchemaFormat(f) {
						w.skip(mr.t.ptr, "message %s's payload is a %s schema, not JSON Schema", mr.key, f)
						continue
					}
					if _, ok := pm["schema"]; !ok {
						return msgAt.doc.errorf(payload.ptr, nil, "a payload with a schemaFormat needs a schema")
					}
					payload = payload.child("schema")
				}
			}
			name := mr.key
			if _, err := strconv.Atoi(name); err == nil {
				if n, _ := msg["name"].(string); n != "" {
					name = n
				}
			}
			e := &Event{Name: name, OperationID: key, Channel: chKey, Address: address, ContentType: ct,
				Pointer: at.ptr, spec: w.s, headers: map[string]string{}, payload: payload}
			e.Summary, e.Description = opSummary, opDesc
			if e.Summary == "" {
				e.Summary, _ = msg["summary"].(string)
			}
			if e.Description == "" {
				e.Description, _ = msg["description"].(string)
			}
			e.Schema = payload.doc.uri + "#" + (&url.URL{Fragment: payload.ptr}).EscapedFragment()
			if _, ok := msg["headers"]; ok {
				if err := w.messageHeaders(msgAt.child("headers"), e); err != nil {
					return err
				}
			}
			count[name]++
			events = append(events, e)
		}
	}
	for _, e := range events {
		if count[e.Name] > 1 {
			e.Name = e.OperationID + "." + e.Name
		}
	}
	w.s.Events = events
	return nil
}

// messageHeaders records the values a message's headers schema declares.
func (w *walker) messageHeaders(t target, e *Event) error {
	ht, hv, err := w.l.follow(t)
	if err != nil {
		return err
	}
	hm, ok := hv.(map[string]any)
	if !ok {
		return nil
	}
	if f, ok := hm["schemaFormat"].(string); ok && jsonSchemaFormat(f) {
		if ht, hv, err = w.l.follow(ht.child("schema")); err != nil {
			return err
		}
		if hm, ok = hv.(map[string]any); !ok {
			return nil
		}
	}
	props, ok := hm["properties"].(map[string]any)
	if !ok {
		return nil
	}
	for _, name := range sortedKeys(props) {
		pt, pv, err := w.l.follow(ht.child("properties", name))
		if err != nil {
			return err
		}
		_ = pt
		if s, ok := constOf(pv); ok {
			e.headers[strings.ToLower(name)] = s
			continue
		}
		if pm, ok := pv.(map[string]any); ok {
			if exs, ok := pm["examples"].([]any); ok && len(exs) > 0 {
				if s, ok := scalar(exs[0]); ok {
					e.headers[strings.ToLower(name)] = s
				}
			}
		}
	}
	return nil
}

// isJSONMedia reports whether a media type is JSON.
func isJSONMedia(ct string) bool {
	base, _, _ := strings.Cut(ct, ";")
	base = strings.TrimSpace(strings.ToLower(base))
	return base == "application/json" || strings.HasSuffix(base, "+json")
}

// jsonSchemaFormat reports whether a schemaFormat is JSON Schema or a
// dialect of it (AsyncAPI's, OpenAPI 3's).
func jsonSchemaFormat(f string) bool {
	base, _, _ := strings.Cut(strings.ToLower(f), ";")
	base = strings.TrimSpace(base)
	switch {
	case strings.HasPrefix(base, "application/vnd.aai.asyncapi"),
		base == "application/schema+json", base == "application/schema+yaml",
		strings.HasPrefix(base, "application/vnd.oai.openapi"):
		return true
	}
	return false
}
