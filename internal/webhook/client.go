package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress is the failure to connect to an address NewClient(PublicOnly) refuses.
var ErrForbiddenAddress = errors.New("webhook: destination address is not public")

// AddressPolicy says which destinations a client from NewClient may connect to.
type AddressPolicy int

const (
	// PublicOnly refuses loopback, private, link-local and other non-public addresses. A webhook
	// URL is typed by an administrator and fetched by the server, so without this it is a way
	// to make Vigil POST into its own network: the cloud metadata service at 169.254.169.254,
	// an internal admin port, the database.
	PublicOnly AddressPolicy = iota
	// AllowPrivate connects anywhere: for receivers inside the organisation's network, by an
	// explicit choice of the operator, and for tests on 127.0.0.1.
	AllowPrivate
)

var defaultClient = NewClient(PublicOnly)

// NewClient returns the HTTP client webhook deliveries should use. It bounds each step by
// Timeout, does not follow redirects and does not use a proxy from the environment (the
// address check would then see only the proxy). Under PublicOnly the check is made on the
// address actually dialled, after DNS resolution, so a name that resolves to a private address
// (DNS rebinding included) is refused too.
func NewClient(policy AddressPolicy) *http.Client {
	dialer := &net.Dialer{Timeout: Timeout, KeepAlive: 30 * time.Second}
	if policy == PublicOnly {
		dialer.Control = refuseNonPublic
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    Timeout,
		ResponseHeaderTimeout:  Timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func refuseNonPublic(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrForbiddenAddress, address)
	}
	if !public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// nonPublic lists special-purpose ranges (RFC 6890) that netip's predicates do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT, RFC 6598
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking, RFC 2544
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64, which can reach private IPv4 addresses
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64, RFC 8215
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("2002::/16"),      // 6to4, which embeds any IPv4 address
	netip.MustParsePrefix("2001::/32"),      // Teredo, likewise
}

// public reports whether a is an ordinary Internet unicast address.
func public(a netip.Addr) bool {
	a = a.Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
