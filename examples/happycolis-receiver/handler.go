package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// maxBody bounds a delivery.
const maxBody = 4 << 20

// Server receives HappyColis order webhooks and serves the stored orders.
type Server struct {
	secret []byte
	store  *Store
	log    *slog.Logger
	now    func() time.Time
	mux    *http.ServeMux
}

// NewServer wires the routes: POST /webhooks/happycolis for deliveries and
// GET /orders/{id} for the latest stored message of an order.
func NewServer(clientSecret string, s *Store, log *slog.Logger) *Server {
	srv := &Server{secret: []byte(clientSecret), store: s, log: log, now: time.Now, mux: http.NewServeMux()}
	srv.mux.HandleFunc("POST /webhooks/happycolis", srv.receive)
	srv.mux.HandleFunc("GET /orders/{id}", srv.order)
	return srv
}

func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { srv.mux.ServeHTTP(w, r) }

func (srv *Server) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		reply(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if err := verify(srv.secret, r.Header.Get("x-happycolis-webhook-signature"), body); err != nil {
		srv.log.Warn("rejected delivery", "reason", err)
		reply(w, http.StatusUnauthorized, err.Error())
		return
	}
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		reply(w, http.StatusBadRequest, "body is not a HappyColis envelope: "+err.Error())
		return
	}
	if env.Header.MessageID == "" || env.Body.ID == "" || env.Header.Date.IsZero() {
		reply(w, http.StatusBadRequest, "header.messageId, header.date and body.id are required")
		return
	}
	outcome, err := srv.store.Apply(r.Context(), &env, body, srv.now())
	if err != nil {
		srv.log.Error("store failed", "order", env.Body.ID, "err", err)
		reply(w, http.StatusInternalServerError, "store failed")
		return
	}
	srv.log.Info("delivery", "order", env.Body.ID, "type", env.Header.Type, "message", env.Header.MessageID, "outcome", outcome)
	// Duplicates and stale snapshots are acknowledged: answering non-2xx
	// would block the integration's queue.
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "outcome": outcome})
}

func (srv *Server) order(w http.ResponseWriter, r *http.Request) {
	env, err := srv.store.Order(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, errNotFound):
		reply(w, http.StatusNotFound, err.Error())
	case err != nil:
		srv.log.Error("read failed", "order", r.PathValue("id"), "err", err)
		reply(w, http.StatusInternalServerError, "read failed")
	default:
		writeJSON(w, http.StatusOK, env)
	}
}

func reply(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, map[string]any{"ok": false, "error": reason})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
