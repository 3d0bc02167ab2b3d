package notice

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseRecipients(t *testing.T) {
	in := "\ufeffName,E-mail,Address 1,Address 2,Postcode,Account\n" +
		"Ann Example,ann@example.org,1 High Street,,JE2 3AB,A-1\n" +
		"\n" +
		`"Smith, Bob",bob@example.org,"Flat 2` + "\n" + `3 Low Road",St Helier,JE2 4CD,A-2` + "\n"
	got, err := ParseRecipients(strings.NewReader(in), Needs{Email: true, Address: true, Columns: []string{"account"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d recipients, want 2", len(got))
	}
	want := []string{
		"2|Ann Example|ann@example.org|1 High Street/JE2 3AB|A-1",
		"3|Smith, Bob|bob@example.org|Flat 2/3 Low Road/St Helier/JE2 4CD|A-2",
	}
	for i, r := range got {
		s := fmt.Sprintf("%d|%s|%s|%s|%s", r.Row, r.Name, r.Email, strings.Join(r.Address, "/"), r.Fields["account"])
		if s != want[i] {
			t.Errorf("recipient %d = %s, want %s", i, s, want[i])
		}
	}
}

func TestParseRecipientsReportsRows(t *testing.T) {
	tests := []struct {
		name  string
		csv   string
		needs Needs
		want  []string // "row:column" of each problem
	}{
		{"empty", "", Needs{}, []string{"1:"}},
		{"no name column", "email\na@example.org\n", Needs{}, []string{"1:name"}},
		{"no email column for e-mail", "name\nAnn\n", Needs{Email: true}, []string{"1:email"}},
		{"no address for post", "name,email\nAnn,a@example.org\n", Needs{Address: true}, []string{"1:address"}},
		{"template column missing", "name,email\nAnn,a@example.org\n", Needs{Columns: []string{"account"}}, []string{"1:account"}},
		{"duplicate column", "name,Name\nA,B\n", Needs{}, []string{"1:name"}},
		{"header only", "name,email\n", Needs{}, []string{"2:"}},
		{"bad rows", "name,email\nAnn,not-an-address\n,b@example.org\nCid,c@example.org,extra\nDee,Dee <d@example.org>\nEve,a@example.org\nFay,f@example.org\nGus,F@example.org\n",
			Needs{Email: true}, []string{"2:email", "3:name", "4:", "5:email", "8:email"}},
		{"bad quote", "name,email\nAnn,\"a@example.org\nBob,b@example.org\n", Needs{}, []string{"2:"}},
		{"too long", "name\n" + strings.Repeat("x", MaxCell+1) + "\n", Needs{}, []string{"2:name"}},
		{"not UTF-8", "name\nAnn \xff\n", Needs{}, []string{"2:name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecipients(strings.NewReader(tt.csv), tt.needs)
			var re *RecipientsError
			if !errors.As(err, &re) {
				t.Fatalf("error = %v, want a RecipientsError", err)
			}
			var got []string
			for _, e := range re.Errors {
				got = append(got, fmt.Sprintf("%d:%s", e.Row, e.Column))
				if e.Message == "" {
					t.Errorf("row %d: no message", e.Row)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("problems at %v, want %v (%v)", got, tt.want, err)
			}
		})
	}
}

func TestParseRecipientsLimitsErrorList(t *testing.T) {
	csv := "name,email\n" + strings.Repeat("Ann,bad\n", maxErrorsShown+7)
	_, err := ParseRecipients(strings.NewReader(csv), Needs{Email: true})
	var re *RecipientsError
	if !errors.As(err, &re) || len(re.Errors) != maxErrorsShown || re.More != 7 || !strings.Contains(err.Error(), "and 7 more") {
		t.Fatalf("error = %v", err)
	}
}
