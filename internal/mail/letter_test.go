package mail

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/notice"
)

func TestRenderLetterGolden(t *testing.T) {
	c, err := notice.Compile(notice.DefaultTemplate(notice.KindLetter))
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.Merge(notice.Merge{Organisation: "Example Care Ltd", DPOName: "Dorothy Smith", DPOContact: "dpo@example.org", Ref: "INC-2026-00042",
		Date: "11 March 2026", WhatHappened: "A laptop was stolen from a car.", WhatData: "Your name & address.", Consequences: "You may get scam calls.",
		WhatWeAreDoing: "We told the police.", WhatYouCanDo: "Be wary of calls about this.", Name: "<b>Ann</b> {{.DPOName}}", Email: "ann@example.org",
		Address: []string{"1 High Street"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := RenderLetter(l.ForEmail())
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "letter" || strings.Contains(m.Text, "1 High Street") || strings.Contains(m.HTML, "<b>Ann") {
		t.Fatalf("kind %q, postal address in the e-mail or unescaped name:\n%s\n%s", m.Kind, m.Text, m.HTML)
	}
	golden(t, filepath.Join("testdata", "letter.golden"), "Subject: "+m.Subject+"\n\n--- text ---\n"+m.Text+"\n--- html ---\n"+m.HTML)
}

func TestRenderLetterRefusesEmpty(t *testing.T) {
	if _, err := RenderLetter(notice.Letter{Subject: "s"}); err == nil {
		t.Fatal("a letter without a body was rendered")
	}
	if _, err := RenderLetter(notice.Letter{Body: "b", Subject: "\r\n"}); err == nil {
		t.Fatal("a letter without a subject was rendered")
	}
}
