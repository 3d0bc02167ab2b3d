package breach

// Supervisory authorities. The UK and Jersey each have one; the EEA has one per state
// (GDPR Art. 51), and which of them must be told depends on the one-stop-shop (GDPR Art. 56(1);
// EDPB Guidelines 9/2022 §II.C.1) or, for controllers with no EEA establishment, on where the
// affected people live (EDPB Guidelines 9/2022 §II.C.2, para. 73).
const (
	authorityICO  = "ICO"  // Information Commissioner's Office, UK GDPR Art. 33
	authorityJOIC = "JOIC" // Jersey Office of the Information Commissioner, DPJL 2018 Art. 20 (seed 002)
)

// eeaAuthorities maps each EEA state to the short name of its data protection authority.
// Germany has one authority per Land for private bodies (the BfDI supervises federal public
// bodies and telecoms), so the Land authority of the establishment is the right addressee.
var eeaAuthorities = map[Country]string{
	"AT": "DSB",
	"BE": "APD-GBA",
	"BG": "CPDP",
	"CY": "Commissioner for Personal Data Protection",
	"CZ": "ÚOOÚ",
	"DE": "Land DPA",
	"DK": "Datatilsynet",
	"EE": "AKI",
	"EL": "HDPA", // the EU's code for Greece
	"ES": "AEPD",
	"FI": "Data Protection Ombudsman",
	"FR": "CNIL",
	"GR": "HDPA",
	"HR": "AZOP",
	"HU": "NAIH",
	"IE": "DPC",
	"IS": "Persónuvernd",
	"IT": "Garante",
	"LI": "Datenschutzstelle",
	"LT": "VDAI",
	"LU": "CNPD",
	"LV": "DVI",
	"MT": "IDPC",
	"NL": "AP",
	"NO": "Datatilsynet",
	"PL": "UODO",
	"PT": "CNPD",
	"RO": "ANSPDCP",
	"SE": "IMY",
	"SI": "IP",
	"SK": "ÚOOÚ SR",
}

// eeaAuthority names a state's authority with its country, e.g. "CNIL (FR)".
func eeaAuthority(c Country) string {
	return eeaAuthorities[c] + " (" + string(c) + ")"
}
