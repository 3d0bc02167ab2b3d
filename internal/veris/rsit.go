package veris

import "slices"

// RSIT maps a VERIS action and variety to the RSIT class and type an incident handler would
// give it. VERIS records describe incidents in which an attribute was compromised, so a
// VERIS action is a successful one (brute force that got in is an intrusion, not an
// attempt). The RSIT type descriptions decide the hard cases: RSIT puts "ransomware
// encrypting data" under unauthorised-information-modification and "physical theft" under
// data-loss. docs/CLASSIFICATION.md documents the table.
func RSIT(action, variety string) (class, typ string) {
	switch action {
	case "hacking":
		switch variety {
		case "DoS":
			return "availability", "dos"
		case "Use of stolen creds", "Brute force":
			return "intrusions", "unprivileged-account-compromise"
		case "SQLi", "XSS", "Exploit vuln", "Path traversal", "Forced browsing", "Abuse of functionality",
			"Buffer overflow", "OS commanding", "SSI injection", "RFI", "Format string attack",
			"LDAP injection", "XML injection", "Cache poisoning", "Session fixation", "Session prediction",
			"HTTP request smuggling", "HTTP response splitting", "Integer overflows", "URL redirector abuse",
			"Virtual machine escape", "Fuzz testing", "Reverse engineering":
			return "intrusions", "application-compromise"
		case "MitM":
			return "information-content-security", "unauthorised-information-access"
		}
		return "intrusions", "system-compromise"
	case "malware":
		if variety == "Ransomware" {
			return "information-content-security", "unauthorised-information-modification"
		}
		return "malicious-code", "infected-system"
	case "social":
		switch variety {
		case "Phishing":
			return "fraud", "phishing"
		case "Pretexting", "Forgery":
			return "fraud", "masquerade"
		case "Spam":
			return "abusive-content", "spam"
		}
		return "information-gathering", "social-engineering" // bribery, influence, extortion...
	case "misuse":
		switch variety {
		case "Net misuse":
			return "fraud", "unauthorised-use-of-resources"
		case "Illicit content":
			return "abusive-content", "violence"
		case "Data mishandling", "Email misuse", "Unapproved hardware", "Unapproved software",
			"Unapproved workaround":
			return "information-content-security", "data-leak"
		}
		return "information-content-security", "unauthorised-information-access" // privilege, knowledge, possession abuse
	case "physical":
		switch variety {
		case "Theft":
			return "information-content-security", "data-loss"
		case "Skimmer", "Tampering", "Surveillance", "Snooping":
			return "information-content-security", "unauthorised-information-access"
		}
		return "information-content-security", "data-loss"
	case "error":
		switch variety {
		case "Loss":
			return "information-content-security", "data-loss"
		case "Malfunction", "Capacity shortage":
			return "availability", "outage"
		}
		return "information-content-security", "data-leak" // misdelivery, publishing, disposal, misconfiguration...
	case "environmental":
		return "availability", "outage"
	}
	return "other", "undetermined"
}

// precedence chooses the action that classifies a record with several (8% of VCDB): the one
// nearest the outcome an RSIT handler records. Ransomware and denial of service name the
// incident whatever led to them; an intrusion outranks the malware and phishing used for it;
// then misuse, social engineering, physical actions, errors and the environment.
var precedence = []struct{ action, variety string }{
	{"malware", "Ransomware"}, {"hacking", "DoS"}, {"hacking", ""}, {"malware", ""}, {"misuse", ""},
	{"social", ""}, {"physical", "Theft"}, {"physical", ""}, {"error", ""}, {"environmental", ""},
	{"unknown", ""},
}

// Primary returns the action and variety that classify a record (by precedence), or ""
// when it has none. varieties maps each action to its varieties.
func Primary(varieties map[string][]string) (action, variety string) {
	for _, p := range precedence {
		vs, ok := varieties[p.action]
		if !ok {
			continue
		}
		if len(vs) == 0 {
			vs = []string{"Unknown"}
		}
		if p.variety == "" {
			return p.action, vs[0]
		}
		if slices.Contains(vs, p.variety) {
			return p.action, p.variety
		}
	}
	return "", ""
}

// Classify returns the RSIT class and type of a record's actions. RSIT puts defacements under
// unauthorised-information-modification whatever the action; VERIS records them as an
// integrity attribute.
func Classify(varieties map[string][]string, integrity []string) (class, typ string) {
	if slices.Contains(integrity, "Defacement") {
		return "information-content-security", "unauthorised-information-modification"
	}
	a, v := Primary(varieties)
	if a == "" {
		return "other", "undetermined"
	}
	return RSIT(a, v)
}

// icoType is the ICO personal-data-breach type of a record's primary action, or "" when
// none fits well enough to claim. paper says the affected assets are documents.
func icoType(action, variety string, paper bool) string {
	switch action {
	case "error":
		switch variety {
		case "Misdelivery":
			if paper {
				return "data-posted-or-faxed-to-incorrect-recipient"
			}
			return "data-emailed-to-incorrect-recipient"
		case "Loss":
			if paper {
				return "loss-or-theft-of-paperwork"
			}
			return "loss-or-theft-of-device"
		case "Disposal error":
			if paper {
				return "insecure-disposal-of-paperwork"
			}
			return "insecure-disposal-of-hardware"
		case "Misconfiguration":
			return "hardware-software-misconfiguration"
		}
		return "other-non-cyber"
	case "physical":
		if variety == "Theft" {
			if paper {
				return "loss-or-theft-of-paperwork"
			}
			return "loss-or-theft-of-device"
		}
		return "other-non-cyber"
	case "misuse":
		return "unauthorised-access-non-cyber"
	case "social":
		if variety == "Phishing" {
			return "phishing"
		}
		return "other-cyber"
	case "malware":
		if variety == "Ransomware" {
			return "ransomware"
		}
		return "malware"
	case "hacking":
		switch variety {
		case "Brute force":
			return "brute-force"
		case "DoS":
			return "denial-of-service"
		}
		return "unauthorised-access-cyber"
	}
	return ""
}
