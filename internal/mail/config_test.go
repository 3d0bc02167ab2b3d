package mail

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	base := map[string]string{
		"VIGIL_SMTP_HOST":     "smtp.example.org",
		"VIGIL_SMTP_USERNAME": "vigil",
		"VIGIL_SMTP_PASSWORD": " secret with spaces ",
		"VIGIL_SMTP_FROM":     "Vigil <vigil@example.org>",
	}
	tests := []struct {
		name    string
		env     map[string]string // merged over base; "" deletes
		want    func(t *testing.T, c Config)
		wantErr string // a fragment of the error; "" means success
	}{
		{
			name: "defaults: mandatory STARTTLS on the submission port",
			want: func(t *testing.T, c Config) {
				if c.Host != "smtp.example.org" || c.Port != 587 || c.TLS != TLSStartTLS || c.Timeout != DefaultTimeout {
					t.Errorf("got %+v", c)
				}
				if c.From.Name != "Vigil" || c.From.Address != "vigil@example.org" {
					t.Errorf("From = %+v", c.From)
				}
				if c.Password != " secret with spaces " {
					t.Errorf("the password was altered: %q", c.Password)
				}
			},
		},
		{
			name: "implicit TLS defaults to 465",
			env:  map[string]string{"VIGIL_SMTP_TLS": "TLS"},
			want: func(t *testing.T, c Config) {
				if c.TLS != TLSImplicit || c.Port != 465 {
					t.Errorf("got TLS %q port %d", c.TLS, c.Port)
				}
			},
		},
		{
			name: "explicit port, HELO and timeout",
			env:  map[string]string{"VIGIL_SMTP_PORT": "2525", "VIGIL_SMTP_HELO": "vigil.example.org", "VIGIL_SMTP_TIMEOUT": "12s", "VIGIL_SMTP_TLS": "starttls-opportunistic"},
			want: func(t *testing.T, c Config) {
				if c.Port != 2525 || c.HELO != "vigil.example.org" || c.Timeout != 12*time.Second || c.TLS != TLSStartTLSOpportunistic {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name: "none towards loopback, without credentials",
			env:  map[string]string{"VIGIL_SMTP_HOST": "127.0.0.1", "VIGIL_SMTP_TLS": "none", "VIGIL_SMTP_USERNAME": "", "VIGIL_SMTP_PASSWORD": ""},
			want: func(t *testing.T, c Config) {
				if c.TLS != TLSNone || c.Port != 25 || c.Username != "" {
					t.Errorf("got %+v", c)
				}
			},
		},
		{name: "none towards another host", env: map[string]string{"VIGIL_SMTP_TLS": "none"}, wantErr: "VIGIL_SMTP_TLS=none is allowed only"},
		{name: "unknown TLS policy", env: map[string]string{"VIGIL_SMTP_TLS": "ssl"}, wantErr: "VIGIL_SMTP_TLS \"ssl\""},
		{name: "port not a number", env: map[string]string{"VIGIL_SMTP_PORT": "smtp"}, wantErr: "VIGIL_SMTP_PORT"},
		{name: "port out of range", env: map[string]string{"VIGIL_SMTP_PORT": "70000"}, wantErr: "VIGIL_SMTP_PORT 70000"},
		{name: "no From", env: map[string]string{"VIGIL_SMTP_FROM": ""}, wantErr: "VIGIL_SMTP_FROM is not set"},
		{name: "From not an address", env: map[string]string{"VIGIL_SMTP_FROM": "Vigil"}, wantErr: "VIGIL_SMTP_FROM \"Vigil\""},
		{name: "username without password", env: map[string]string{"VIGIL_SMTP_PASSWORD": ""}, wantErr: "set together"},
		{name: "host with a port", env: map[string]string{"VIGIL_SMTP_HOST": "smtp.example.org:587"}, wantErr: "without port"},
		{name: "bad timeout", env: map[string]string{"VIGIL_SMTP_TIMEOUT": "30"}, wantErr: "VIGIL_SMTP_TIMEOUT"},
		{name: "HELO with a space", env: map[string]string{"VIGIL_SMTP_HELO": "my host"}, wantErr: "VIGIL_SMTP_HELO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := configFromLookup(func(k string) string { return env[k] })
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want ErrInvalidConfig mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, c)
		})
	}
}

func TestConfigFromEnvReadsTheEnvironment(t *testing.T) {
	t.Setenv("VIGIL_SMTP_HOST", "")
	if _, err := ConfigFromEnv(); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("without VIGIL_SMTP_HOST: error = %v, want ErrNotConfigured", err)
	}
	t.Setenv("VIGIL_SMTP_HOST", "localhost")
	t.Setenv("VIGIL_SMTP_FROM", "vigil@example.org")
	t.Setenv("VIGIL_SMTP_TLS", "none")
	t.Setenv("VIGIL_SMTP_PORT", "2525")
	t.Setenv("VIGIL_SMTP_USERNAME", "")
	t.Setenv("VIGIL_SMTP_PASSWORD", "")
	c, err := ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Host != "localhost" || c.Port != 2525 || c.TLS != TLSNone || c.From.Address != "vigil@example.org" {
		t.Errorf("got %+v", c)
	}
}

func TestConfigStringHidesThePassword(t *testing.T) {
	c := Config{Host: "smtp.example.org", Port: 587, Username: "vigil", Password: "hunter2-secret", From: vigilFrom, TLS: TLSStartTLS}
	for _, s := range []string{c.String(), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c)} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("the password shows in %q", s)
		}
		if !strings.Contains(s, "smtp.example.org:587") || !strings.Contains(s, "password (set)") {
			t.Errorf("the description %q says too little", s)
		}
	}
}
