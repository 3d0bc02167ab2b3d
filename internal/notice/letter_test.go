package notice

import (
	"errors"
	"strings"
	"testing"
)

func merged(name string) Merge {
	return Merge{Organisation: "Example Care Ltd", DPOName: "Dorothy Smith", DPOContact: "dpo@example.org", Ref: "INC-2026-00042", Date: "11 March 2026",
		WhatHappened: "A laptop was stolen.", WhatData: "Your name and address.", Consequences: "You may receive scam letters.",
		WhatWeAreDoing: "We have wiped the laptop.", WhatYouCanDo: "Be wary of unexpected letters.",
		Name: name, Email: "a@example.org", Address: []string{"1 High Street", "St Helier", "JE2 3AB"}, Fields: map[string]string{"account": "A-1"}}
}

func TestDefaultLetterGolden(t *testing.T) {
	c, err := Compile(DefaultTemplate(KindLetter))
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.Merge(merged("Ann Example"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "letter-default.golden", "Subject: "+l.Subject+"\n\n--- text ---\n"+l.Text()+"\n--- html ---\n"+l.HTML())
	s, err := Compile(DefaultTemplate(KindPublicStatement))
	if err != nil {
		t.Fatal(err)
	}
	m := merged("")
	m.Address = nil
	st, err := s.Merge(m)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "statement-default.golden", "Subject: "+st.Subject+"\n\n"+st.Text())
}

// TestLetterEscapesRecipientData: a recipient's data is data. Template syntax in a name is
// printed as typed, HTML is escaped, and a line break cannot add a header to the subject.
func TestLetterEscapesRecipientData(t *testing.T) {
	tpl := DefaultTemplate(KindLetter)
	tpl.Subject = "For {{.Name}} ({{.Fields.account}})"
	c, err := Compile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.CustomFields(); len(got) != 1 || got[0] != "account" {
		t.Errorf("CustomFields = %v, want [account]", got)
	}
	tests := []struct{ name, wantText, wantHTML string }{
		{"{{.DPOName}}", "Dear {{.DPOName}},", "Dear {{.DPOName}},"},
		{`<script>alert("x")</script>`, `Dear <script>alert("x")</script>,`, "Dear &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;,"},
		{"Eve\r\nBcc: all@example.org", "Eve\r\nBcc: all@example.org", "Eve"},
		{`{{template "x"}}{{call .Fields}}`, `Dear {{template "x"}}{{call .Fields}},`, `Dear {{template &#34;x&#34;}}{{call .Fields}},`},
	}
	for _, tt := range tests {
		l, err := c.Merge(merged(tt.name))
		if err != nil {
			t.Fatalf("%q: %v", tt.name, err)
		}
		if !strings.Contains(l.Text(), tt.wantText) {
			t.Errorf("%q: text lacks %q:\n%s", tt.name, tt.wantText, l.Text())
		}
		if !strings.Contains(l.HTML(), tt.wantHTML) || strings.Contains(l.HTML(), "<script") {
			t.Errorf("%q: HTML lacks %q or holds a script:\n%s", tt.name, tt.wantHTML, l.HTML())
		}
		if strings.ContainsAny(l.Subject, "\r\n") || !strings.Contains(l.Subject, "(A-1)") {
			t.Errorf("%q: subject %q spans lines or lost the custom field", tt.name, l.Subject)
		}
	}
}

func TestCompileRefusesBadTemplates(t *testing.T) {
	ok := DefaultTemplate(KindLetter)
	tests := []struct {
		name string
		edit func(*Template)
		want string
	}{
		{"unknown kind", func(t *Template) { t.Kind = "fax" }, "kind"},
		{"empty subject", func(t *Template) { t.Subject = " " }, "subject"},
		{"two-line subject", func(t *Template) { t.Subject = "a\nBcc: x" }, "subject"},
		{"syntax", func(t *Template) { t.Body += "{{.Name" }, "body"},
		{"unknown field", func(t *Template) { t.Body += "{{.Password}}" }, "unknown merge field {{.Password}}"},
		{"nested template", func(t *Template) { t.Body += `{{define "x"}}y{{end}}{{template "x"}}` }, "{{template}}"},
		{"no DPO contact", func(t *Template) { t.Body = strings.ReplaceAll(t.Body, "{{.DPOContact}}", "") }, "DPOContact"},
		{"no advice", func(t *Template) { t.Body = strings.ReplaceAll(t.Body, "{{.WhatYouCanDo}}", "") }, "WhatYouCanDo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := ok
			tt.edit(&tpl)
			_, err := Compile(tpl)
			var te *TemplateError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want a TemplateError mentioning %q", err, tt.want)
			}
		})
	}
}
