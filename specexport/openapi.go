package specexport

import (
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/provider"
)

// openAPI builds the OpenAPI 3.1 document: a webhooks entry per event
// whose operation (the definition's method, POST by default) takes the
// body as its JSON request body and the headers as header parameters,
// and answers 2xx.
func openAPI(d *provider.Definition) (*jsontree.Object, error) {
	evs, err := events(d)
	if err != nil {
		return nil, err
	}
	b := newBundler(dialect2020)
	req := d.Request() // its defaults filled in: POST, application/json
	method, ct := strings.ToLower(req.Method), req.ContentType
	hooks, shared := &jsontree.Object{}, &jsontree.Object{}
	for _, ev := range evs {
		body, err := bodySchema(b, d, ev)
		if err != nil {
			return nil, err
		}
		op := obj("operationId", ev.wire)
		if ev.title != "" && ev.title != ev.wire {
			op.Set("summary", ev.title)
		}
		if ev.description != "" {
			op.Set("description", ev.description)
		}
		var params []any
		for _, h := range headers(d, ev) {
			p := obj("name", h.name, "in", "header", "required", h.required)
			if h.description != "" {
				p.Set("description", h.description)
			}
			p.Set("schema", h.schema)
			if !h.shared {
				params = append(params, p)
				continue
			}
			k := strings.Trim(unsafeName.ReplaceAllString(h.name, "_"), "_")
			if _, ok := shared.Get(k); !ok {
				shared.Set(k, p)
			}
			params = append(params, obj("$ref", "#/components/parameters/"+k))
		}
		if len(params) > 0 {
			op.Set("parameters", params)
		}
		op.Set("requestBody", obj("required", true, "content", obj(ct, obj("schema", body))))
		op.Set("responses", obj("2XX", obj("description", acceptText(d))))
		hooks.Set(ev.wire, obj(method, op))
	}
	doc := obj("openapi", OpenAPIVersion, "info", info(d), "webhooks", hooks)
	comps := obj("schemas", b.comps)
	if len(shared.Keys) > 0 {
		comps.Set("parameters", shared)
	}
	doc.Set("components", comps)
	return doc, nil
}

// acceptText is what a receiver's 2xx answer means.
func acceptText(d *provider.Definition) string {
	s := "Any 2xx status acknowledges the delivery."
	if t := d.Delivery().Timeout.D; t > 0 {
		s += " Any other answer, or none within " + duration(t) + ", is a failed delivery."
	} else {
		s += " Any other answer is a failed delivery."
	}
	return s
}

// info is the document's info object.
func info(d *provider.Definition) *jsontree.Object {
	version := d.Digest()
	if len(version) > 12 {
		version = version[:12]
	}
	return obj("title", d.Title()+" webhooks", "version", version, "description", infoText(d))
}
