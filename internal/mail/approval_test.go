package mail

import (
	"strings"
	"testing"
)

func TestRenderApproval(t *testing.T) {
	cases := []struct {
		name        string
		in          Approval
		wantSubject string
		wantErr     bool
	}{
		{"real incident", Approval{Reference: "INC-2026-00001", Title: "Laptop stolen", Kind: "Closing an incident", URL: "https://vigil.example/approvals"},
			"Approval needed: Closing an incident – INC-2026-00001 Laptop stolen", false},
		{"exercise", Approval{Reference: "INC-2026-00002", Title: "Drill", Kind: "Closing an incident", URL: "https://vigil.example/approvals", Exercise: true},
			"[EXERCISE] Approval needed: Closing an incident – INC-2026-00002 Drill", false},
		{"a title cannot smuggle a header", Approval{Reference: "INC-2026-00003", Title: "x\r\nBcc: evil@example.org", Kind: "A public statement", URL: "https://vigil.example/approvals"},
			"Approval needed: A public statement – INC-2026-00003 x Bcc: evil@example.org", false},
		{"relative link refused", Approval{Reference: "INC-2026-00004", Kind: "Closing an incident", URL: "/approvals"}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := RenderApproval(c.in)
			if (err != nil) != c.wantErr {
				t.Fatalf("error %v", err)
			}
			if c.wantErr {
				return
			}
			if m.Subject != c.wantSubject || !strings.Contains(m.Text, c.in.URL) || m.Kind != "approval" {
				t.Fatalf("subject %q, text %q", m.Subject, m.Text)
			}
			if c.in.Exercise != strings.HasPrefix(m.Text, "EXERCISE") {
				t.Errorf("exercise marking in the body: %q", m.Text)
			}
		})
	}
}
