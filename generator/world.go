package generator

import (
	"math"
	"strconv"
)

// world is what the orders of one run share and build on: the Phasio
// manufacturer's customers and order ids, the HappyColis merchant. It grows
// with neither the number of orders nor their events.
type world struct {
	seed      int64
	local     string
	customers []*customer
	codes     map[string]bool // customer codes in use, so numbers never collide
	orderID   int64
	merchant  *merchant
}

func newWorld(provider string, seed int64, local string) *world {
	w := &world{seed: seed, local: local}
	r := newRNG()
	r.seed(seed, streamWorld)
	switch provider {
	case ProviderPhasio:
		w.orderID = r.between(10000, 90000)
		w.codes = map[string]bool{}
		cr := newRNG()
		for i := range DefaultCustomers {
			cr.seed(seed, streamCustomers+uint64(i))
			w.addCustomer(cr, nil)
		}
	case ProviderHappyColis:
		w.merchant = newMerchant(r)
	}
	return w
}

// customer picks who orders: a few customers order much more often than
// the rest. country, when set, restricts the choice (a customer from there
// joins the pool if none is in it).
func (w *world) customer(r *rng, country string) *customer {
	if country == "" {
		u := r.uniform(0, 1)
		return w.customers[int(float64(len(w.customers))*u*u)]
	}
	var in []*customer
	for _, c := range w.customers {
		if c.country.code == country {
			in = append(in, c)
		}
	}
	if len(in) > 0 {
		return pick(r, in)
	}
	return w.addCustomer(r, countryByCode[country])
}

// addCustomer adds a customer in co (nil: a weighted random country) with
// the next id and a code no other customer has.
func (w *world) addCustomer(r *rng, co *country) *customer {
	id := r.between(100, 4000)
	if n := len(w.customers); n > 0 {
		id = w.customers[n-1].id + r.between(1, 40)
	}
	c := newCustomer(r, id, co)
	base := c.code
	for k := 2; w.codes[c.code]; k++ {
		c.code = base + strconv.Itoa(k)
	}
	w.codes[c.code] = true
	w.customers = append(w.customers, c)
	return c
}

// expMillis draws an exponential duration with the given mean, in whole
// milliseconds.
func (g *rng) expMillis(meanMs float64) int64 {
	return int64(math.Round(-math.Log(1-g.r.Float64()) * meanMs))
}
