package contracts

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/schemas"
)

// ProbeKey is the placeholder a probe template must contain; it is replaced
// by the order key (Phasio orderId, HappyColis body.id), path-escaped.
const ProbeKey = "{orderKey}"

// maxProbeBody bounds a probe response; one order's state is far smaller.
const maxProbeBody = 4 << 20

// ErrProbe is wrapped by probe template errors.
var ErrProbe = wrapConfig("contracts: bad probe")

// prober reads the receiver's state of one order with a GET.
type prober struct {
	template string // absolute URL containing ProbeKey
	client   *http.Client
	timeout  time.Duration // bounds each GET, whatever the client's own timeout
	silent   int           // GETs in a row without an answer
}

// errProbeSilent is the error of a probe GET not sent because MaxNoAnswer
// GETs in a row got no answer.
var errProbeSilent = fmt.Errorf("not sent: the probe got no answer %d times in a row", MaxNoAnswer)

// newProber checks the template and resolves a relative one ("/orders/{orderKey}")
// against the target's URL, so an in-process handler needs no host.
func newProber(template string, base *url.URL, client *http.Client) (*prober, error) {
	if !strings.Contains(template, ProbeKey) {
		return nil, fmt.Errorf("%w %q: must contain %s", ErrProbe, template, ProbeKey)
	}
	u, err := url.Parse(strings.ReplaceAll(template, ProbeKey, "KEY"))
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrProbe, template, err)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w %q: scheme must be http or https", ErrProbe, template)
	}
	if !u.IsAbs() {
		if u.Host != "" || !strings.HasPrefix(template, "/") {
			return nil, fmt.Errorf("%w %q: give an absolute URL or a path starting with /", ErrProbe, template)
		}
		template = base.Scheme + "://" + base.Host + template
	}
	return &prober{template: template, client: client}, nil
}

// probeResult is one GET of an order's state.
type probeResult struct {
	url    string
	status int
	body   []byte
	state  any // decoded JSON, nil unless status is 2xx and the body is JSON
	err    error
}

// get fetches the state of the order with key, within the timeout;
// transport errors, non-2xx answers and non-JSON bodies are reported in
// err. After MaxNoAnswer GETs in a row got no answer, it sends no more
// (errProbeSilent): a probe that hangs costs three timeouts, not one per
// order.
func (p *prober) get(ctx context.Context, key string) probeResult {
	r := probeResult{url: strings.ReplaceAll(p.template, ProbeKey, url.PathEscape(key))}
	if p.silent >= MaxNoAnswer {
		r.err = errProbeSilent
		return r
	}
	if p.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		r.err = err
		return r
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		r.err = err
		if ctx.Err() == nil || context.Cause(ctx) == context.DeadlineExceeded {
			p.silent++ // not the caller's cancellation nor the run's deadline
		}
		return r
	}
	p.silent = 0
	defer resp.Body.Close()
	r.status = resp.StatusCode
	r.body, r.err = io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))
	if r.err != nil {
		return r
	}
	if resp.StatusCode/100 != 2 {
		r.err = fmt.Errorf("probe answered %d", resp.StatusCode)
		return r
	}
	if r.state, r.err = schemas.Decode(r.body); r.err != nil {
		r.err = fmt.Errorf("probe body is not JSON: %w", r.err)
	}
	return r
}

// evidence describes the probe as evidence, with what was expected of it.
func (r probeResult) evidence(expected, got string) Evidence {
	e := Evidence{Request: "GET " + redact.URL(r.url), Status: r.status, Response: excerpt(r.body), Expected: expected, Got: got}
	if r.err != nil && r.status == 0 {
		e.Response = r.err.Error()
	}
	return e
}
