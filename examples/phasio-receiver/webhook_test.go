package main

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// vectors are the project's Phasio known-answer vectors.
type vectors struct {
	Valid []struct {
		Name, Secret, Plaintext, Body string
		Signature                     string `json:"x_phasio_signature"`
	}
	Invalid []struct {
		Name, Secret, Expect string
		Encrypted            string `json:"encrypted_payload"`
		Signature            string `json:"x_phasio_signature"`
	}
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	b, err := os.ReadFile("../../testdata/vectors/phasio.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Valid) == 0 || len(v.Invalid) == 0 {
		t.Fatal("no vectors")
	}
	return v
}

func TestWebhookOpensValidVectors(t *testing.T) {
	for _, v := range loadVectors(t).Valid {
		t.Run(v.Name, func(t *testing.T) {
			wh, err := NewWebhook(v.Secret)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := wh.Open(v.Signature, []byte(v.Body))
			if err != nil {
				t.Fatal(err)
			}
			if string(plain) != v.Plaintext {
				t.Fatalf("plaintext %s, want %s", plain, v.Plaintext)
			}
		})
	}
}

func TestWebhookRejectsInvalidVectors(t *testing.T) {
	want := map[string]error{
		"tampered-payload": errBadSignature,
		"wrong-key":        errDecrypt,
		"too-short":        errMalformed,
	}
	for _, v := range loadVectors(t).Invalid {
		t.Run(v.Name, func(t *testing.T) {
			wh, err := NewWebhook(v.Secret)
			if v.Name == "short-secret" {
				if err == nil {
					t.Fatal("a 16-byte secret was accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(map[string]string{"payload": v.Encrypted})
			_, err = wh.Open(v.Signature, body)
			if !errors.Is(err, want[v.Name]) {
				t.Fatalf("got %v, want %v (%s)", err, want[v.Name], v.Expect)
			}
		})
	}
}

func TestWebhookRejectsMissingSignatureAndMalformedBody(t *testing.T) {
	wh, err := NewWebhook(loadVectors(t).Valid[0].Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wh.Open("", []byte(`{"payload":"x"}`)); !errors.Is(err, errMissingSignature) {
		t.Errorf("missing signature: %v", err)
	}
	for _, body := range []string{`not json`, `{}`, `{"payload":1}`, `[]`} {
		if _, err := wh.Open("00", []byte(body)); !errors.Is(err, errMalformed) {
			t.Errorf("body %s: %v, want errMalformed", body, err)
		}
	}
}
