package config

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestIntakeFlagsAndValidate(t *testing.T) {
	t.Setenv("VIGIL_INTAKE_ADDRESSES", "incident=security@example.org,phishing=phishing@example.org")
	t.Setenv("VIGIL_IMAP_PASSWORD", "")
	tests := []struct {
		args []string
		err  string // "" when valid
	}{
		{[]string{"--smtp-addr", "127.0.0.1:2525"}, ""},
		{[]string{"--smtp-addr", "127.0.0.1:2525", "--intake-max-bytes", "30000000"}, "--intake-max-bytes"},
		{[]string{"--intake-max-depth", "0"}, "--intake-max-depth"},
		{[]string{"--imap-url", "imaps://vigil@mail.example.org/INBOX"}, "VIGIL_IMAP_PASSWORD"},
		{[]string{"--imap-every", "10ms"}, "--imap-every"},
	}
	for _, tt := range tests {
		var c Intake
		fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
		c.BindIntake(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if len(c.Addresses) != 2 {
			t.Errorf("%v: addresses from the environment = %v", tt.args, c.Addresses)
		}
		err := c.Validate()
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%v: Validate() = %v, want an error naming %q", tt.args, err, tt.err)
		}
	}
	// The SMTP receiver without any address would refuse everything: a mistake, not a setting.
	var c Intake
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	t.Setenv("VIGIL_INTAKE_ADDRESSES", "")
	c.BindIntake(fs)
	_ = fs.Parse([]string{"--smtp-addr", "127.0.0.1:2525"})
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--intake-address") {
		t.Errorf("Validate() = %v", err)
	}
}
