package emitter

import "testing"

// TestMessageIDKnownAnswers pins message ids: the same seed, run and
// position always give the same id (a pinned clock reproduces a run), and
// the layout is a version 4 UUID.
func TestMessageIDKnownAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		seed int64
		run  uint64
		pos  int64
		want string
	}{
		{1, 0, 1, "46539195-8fc6-4f13-baa6-282a95da9f89"},
		{1, 0, 2, "51bf2516-1a05-4b1b-bf0b-34c6dfcea380"},
		{42, 1700000000000000000, 1, "25cffb89-6779-4f79-b63d-7c0106d2ca2f"},
		{-7, ^uint64(0), 1 << 40, "74aa30fe-5920-4b76-8178-b2c3ac8fb9a3"},
	}
	for _, tt := range tests {
		if got := messageID(tt.seed, tt.run, tt.pos); got != tt.want {
			t.Errorf("messageID(%d, %d, %d) = %q, want %q", tt.seed, tt.run, tt.pos, got, tt.want)
		}
	}
}
