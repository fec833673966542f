package redact

import "testing"

func TestCredentialHeader(t *testing.T) {
	for name, want := range map[string]bool{"authorization": true, "Proxy-Authorization": true, "COOKIE": true, "X-Api-Key": false, "Webhook-Signature": false} {
		if got := CredentialHeader(name); got != want {
			t.Errorf("CredentialHeader(%q) = %v", name, got)
		}
	}
}
