package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// maxBody bounds a delivery; a 200-part order is far below it.
const maxBody = 4 << 20

// Server receives one Phasio webhook and serves the stored orders.
type Server struct {
	webhook *Webhook
	store   *Store
	log     *slog.Logger
	now     func() time.Time
	mux     *http.ServeMux
}

// NewServer wires the routes: POST /webhooks/phasio for deliveries and
// GET /orders/{id} for the stored state of an order.
func NewServer(w *Webhook, s *Store, log *slog.Logger) *Server {
	srv := &Server{webhook: w, store: s, log: log, now: time.Now, mux: http.NewServeMux()}
	srv.mux.HandleFunc("POST /webhooks/phasio", srv.receive)
	srv.mux.HandleFunc("GET /orders/{id}", srv.order)
	return srv
}

func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { srv.mux.ServeHTTP(w, r) }

func (srv *Server) receive(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		reply(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	plain, err := srv.webhook.Open(r.Header.Get("X-Phasio-Signature"), body)
	switch {
	case errors.Is(err, errMalformed):
		reply(w, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		srv.log.Warn("rejected delivery", "reason", err)
		reply(w, http.StatusUnauthorized, err.Error())
		return
	}
	var o Order
	if err := json.Unmarshal(plain, &o); err != nil || o.OrderID == 0 {
		reply(w, http.StatusBadRequest, "payload is not a Phasio order")
		return
	}
	// Phasio fires one webhook per trigger; the trigger header is added by
	// test senders that share one URL between triggers.
	trigger := r.Header.Get("X-Orderhooks-Trigger")
	if trigger == "" {
		trigger = "ORDER_UPDATED"
	}
	applied, err := srv.store.Apply(r.Context(), deliveryKey(r, body), trigger, &o, plain, srv.now())
	if err != nil {
		srv.log.Error("store failed", "order", o.OrderID, "err", err)
		reply(w, http.StatusInternalServerError, "store failed")
		return
	}
	srv.log.Info("delivery", "order", o.OrderID, "trigger", trigger, "applied", applied)
	if !applied {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "duplicate": true})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// deliveryKey identifies a delivery for deduplication: the sender's
// delivery id when it sends one, else a hash of the exact body (a platform
// redelivery resends the same bytes).
func deliveryKey(r *http.Request, body []byte) string {
	if id := r.Header.Get("X-Orderhooks-Delivery"); id != "" {
		return "id:" + id
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (srv *Server) order(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		reply(w, http.StatusBadRequest, "order id must be a number")
		return
	}
	o, err := srv.store.Order(r.Context(), id)
	switch {
	case errors.Is(err, errNotFound):
		reply(w, http.StatusNotFound, err.Error())
	case err != nil:
		srv.log.Error("read failed", "order", id, "err", err)
		reply(w, http.StatusInternalServerError, "read failed")
	default:
		writeJSON(w, http.StatusOK, o)
	}
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
}

func reply(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, map[string]any{"ok": false, "error": reason})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
