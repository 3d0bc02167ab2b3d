package main_test

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestServeTakesInEmail runs vigil serve with the SMTP receiver and an outgoing relay, sends
// a report with a real SMTP client, and checks that it becomes an incident and that the
// acknowledgement reaches the relay through the outbox.
func TestServeTakesInEmail(t *testing.T) {
	data := t.TempDir()
	token := setup(t, data)
	relay, relayAddr := startInbox(t)
	host, port, _ := net.SplitHostPort(relayAddr)
	env := append(os.Environ(), "VIGIL_SMTP_HOST="+host, "VIGIL_SMTP_PORT="+port, "VIGIL_SMTP_TLS=none", "VIGIL_SMTP_FROM=Vigil <vigil@example.org>")
	addr, intakeAddr := freeAddr(t), freeAddr(t)
	serveWith(t, env, "--data", data, "--addr", addr, "--smtp-addr", intakeAddr, "--intake-address", "incident=security@example.org")

	c, err := smtp.Dial(intakeAddr)
	if err != nil {
		t.Fatal(err)
	}
	msg := "From: Jo <jo@example.net>\r\nTo: security@example.org\r\nSubject: Badge lost\r\nMessage-ID: <badge-1@example.net>\r\n\r\nI lost my door badge.\r\n"
	if err := c.SendMail("jo@example.net", []string{"security@example.org"}, strings.NewReader(msg)); err != nil {
		t.Fatalf("sending the report: %v", err)
	}
	c.Close()

	// The 250 came after the commit, so the incident is there now.
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/incidents", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			Title   string `json:"title"`
			Channel string `json:"channel"`
		} `json:"items"`
	}
	json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if len(list.Items) != 1 || list.Items[0].Title != "Badge lost" || list.Items[0].Channel != "email" {
		t.Fatalf("incidents = %+v", list.Items)
	}

	// The scheduler delivers the acknowledgement on its next pass (every second).
	deadline := time.Now().Add(30 * time.Second)
	for {
		total, _, _ := relay.count()
		if total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the relay got %d acknowledgements", total)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
