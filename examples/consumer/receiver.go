// Package consumer is a team's Phasio webhook receiver with a classic bug:
// it decrypts deliveries but never checks X-Phasio-Signature, so anyone who
// can reach it can replay or forge orders. Its contract test finds that.
package consumer

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Receiver stores the latest order snapshot per orderId.
type Receiver struct {
	aead   cipher.AEAD
	mu     sync.Mutex
	orders map[int64]json.RawMessage
}

// NewReceiver takes the webhook's secret, a base64url 32-byte key.
func NewReceiver(secret string) (*Receiver, error) {
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(secret, "="))
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Receiver{aead: aead, orders: map[int64]json.RawMessage{}}, nil
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	var env struct{ Payload string }
	if json.Unmarshal(body, &env) != nil {
		http.Error(w, "malformed body", http.StatusBadRequest)
		return
	}
	// BUG (on purpose): X-Phasio-Signature is never checked.
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(env.Payload, "="))
	ns := rc.aead.NonceSize()
	if err != nil || len(raw) < ns+rc.aead.Overhead() {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	plain, err := rc.aead.Open(nil, raw[:ns], raw[ns:], nil)
	if err != nil {
		http.Error(w, "payload does not decrypt", http.StatusUnauthorized)
		return
	}
	var order struct {
		OrderID int64 `json:"orderId"`
	}
	if json.Unmarshal(plain, &order) != nil || order.OrderID == 0 {
		http.Error(w, "not an order", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.orders[order.OrderID] = plain
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
