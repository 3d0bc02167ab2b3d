package classify

// The rules below are the suggester's whole knowledge: words and phrases with a weight for
// each RSIT type, ICO type and for "personal data is likely involved". A weight of 3 or more
// means the phrase alone is enough; smaller weights need company. They were written from the
// RSIT and ICO definitions and the seed 004 examples, then tuned on the summaries of the even
// half of the VERIS Community Database (see docs/CLASSIFICATION.md); keep them readable and
// general rather than adding words of single VCDB records.

// rsitRules: RSIT "class:type" -> terms. Classes and types are the MISP machinetag values
// (internal/taxonomy/data/misp/rsit.machinetag.json).
var rsitRules = ruleSet{
	"abusive-content:spam": {
		"spam*": 3, "unsolicited email*": 2, "unsolicited e mail*": 2, "bulk email*": 1,
	},
	"abusive-content:harmful-speech": {
		"harass*": 3, "cyberbully*": 3, "bullying": 2, "stalk*": 2, "cyberstalk*": 3, "hate speech": 3,
		"threatening messages": 2, "abusive messages": 2, "racist": 2, "trolling": 2,
	},
	"abusive-content:violence": {
		"child sexual": 3, "child abuse images": 3, "child porn*": 3, "indecent images": 3, "csam": 3,
		"pornograph*": 2, "extremist content": 2, "illicit content": 2,
	},

	"malicious-code:infected-system": {
		"malware": 3, "virus": 3, "viruses": 3, "trojan*": 3, "worm": 2, "infected": 3, "infection": 2,
		"keylog*": 3, "key logger*": 3, "spyware": 3, "rootkit*": 3, "botnet*": 2, "backdoor*": 2,
		"ram scrap*": 3, "memory scrap*": 3, "malicious software": 3, "malicious code": 3,
		"malicious program*": 3, "antivirus": 1, "anti virus": 1, "remote access trojan": 3,
		"magecart": 3, "formjacking": 3, "skimming code": 3, "skimming script*": 3,
		"malicious script*": 3, "malicious javascript": 3, "point of sale": 1, "pos": 1,
	},
	"malicious-code:c2-server": {
		"command and control": 3, "c2": 2, "c2 server*": 3,
	},
	"malicious-code:malware-distribution": {
		"malicious attachment*": 2, "drive by download*": 3, "exploit kit*": 3, "malspam": 3,
	},
	"malicious-code:malware-configuration": {
		"web injects": 3, "malware configuration*": 3,
	},

	"information-gathering:scanner": {
		"port scan*": 3, "scanning": 2, "vulnerability scan*": 2, "reconnaissance": 2, "probing": 2,
	},
	"information-gathering:sniffing": {
		"sniff*": 3, "packet capture*": 3, "wiretap*": 3, "eavesdrop*": 2,
	},
	"information-gathering:social-engineering": {
		"social engineer*": 3, "bribe*": 3, "bribing": 3, "vishing": 3, "tricked into": 2, "duped": 2,
		"manipulated": 1,
	},

	"intrusion-attempts:ids-alert": {
		"ids alert*": 3, "intrusion detection": 2, "exploit attempt*": 3, "attempted exploit*": 3,
	},
	"intrusion-attempts:brute-force": {
		"brute force*": 2, "password guessing": 3, "password spraying": 3, "credential stuffing": 3,
		"failed login*": 2, "failed log in*": 2, "login attempts": 2, "dictionary attack*": 3,
	},
	"intrusion-attempts:exploit": {
		"attack was blocked": 3, "unsuccessful attack*": 2, "attempted attack*": 2, "blocked attack*": 2,
	},

	"intrusions:privileged-account-compromise": {
		"admin account*": 2, "administrator account*": 2, "domain admin*": 3, "root access": 3,
		"privileged account*": 3, "admin credentials": 3, "administrator credentials": 3,
	},
	"intrusions:unprivileged-account-compromise": {
		"compromised account*": 3, "account compromise*": 3, "accounts were compromised": 3,
		"account was compromised": 3, "stolen credentials": 3, "stolen password*": 3,
		"stolen login*": 3, "credential compromise": 3, "compromised credentials": 3,
		"account takeover*": 3, "hijacked account*": 3, "account hijack*": 3,
		"unauthorized login*": 3, "unauthorised login*": 3, "login credentials": 2,
		"logged into": 1.5, "log in credentials": 2, "username and password": 1.5,
		"usernames and passwords": 1.5, "email account*": 2.5, "e mail account*": 2.5,
		"credentials": 1.5, "after the owner has left": 3, "leaver*": 2, "left the organi*": 2,
		"user account": 1, "logon": 1,
	},
	"intrusions:application-compromise": {
		"sql injection": 5, "sqli": 5, "cross site scripting": 4, "xss": 4, "exploited": 2,
		"vulnerability in": 2, "remote code execution": 3, "web shell*": 3, "webshell*": 3,
		"path traversal": 3, "unpatched": 1.5, "cve": 2, "plugin": 1, "zero day": 2, "exploit*": 1.5,
		"vulnerability": 1.5, "vulnerabilities": 1.5,
	},
	"intrusions:system-compromise": {
		"hack": 4, "hacked": 4, "hacker*": 4, "hacking": 4, "hacktivist*": 3, "cyber attack*": 2,
		"cyberattack*": 2, "cyber criminal*": 2, "cybercriminal*": 2, "threat actor*": 2,
		"intrusion": 2, "intruder*": 1, "breached": 1.5, "lateral movement": 3, "gained access": 1.5,
		"remote access": 1, "infiltrat*": 2, "attacker*": 1.5, "anonymous": 1.5, "dark web": 1,
		"compromised server*": 3, "server was compromised": 3, "systems were compromised": 2,
		"network was compromised": 2, "compromised": 1.5, "compromise": 1, "network": 1,
		"server": 1, "servers": 1, "attack": 1.5, "attacks": 1, "cyber": 1.5, "security breach": 1,
		"suspicious activity": 2, "unusual activity": 2, "malicious": 1, "pastebin": 3,
		"dumped": 2, "website": 1, "web site": 1, "websites": 1, "unauthorized person": 1.5,
		"unauthorised person": 1.5, "unknown person": 1, "unauthorized third party": 2,
		"unauthorised third party": 2, "unauthorized individual*": 1.5, "computer system*": 1.5,
		"computer network*": 2, "database": 1, "databases": 1, "pwned": 2, "activist*": 2,
		"state sponsored": 2, "darknet": 1.5, "dark net": 1.5, "for sale": 1.5, "webmail": 2,
		"penetrated": 2, "unauthorized part*": 1.5, "unauthorised part*": 1.5,
		"gained unauthorized access": 2.5, "gained unauthorised access": 2.5,
	},
	"intrusions:burglary": {
		"burglary": 1, "burglar*": 1, "break in": 1, "forced entry": 1,
	},

	"availability:dos": {
		"denial of service": 3, "dos attack*": 3, "dos": 2,
	},
	"availability:ddos": {
		"ddos*": 4, "distributed denial": 4,
	},
	"availability:misconfiguration": {
		"dns misconfiguration": 2, "expired certificate": 2, "certificate expired": 2,
	},
	"availability:sabotage": {
		"sabotage*": 3, "arson": 3, "logic bomb": 3, "cut cables": 2, "wiped": 1.5,
	},
	"availability:outage": {
		"outage*": 2.5, "power failure": 3, "power cut": 3, "hardware failure": 2, "system failure": 2,
		"crashed": 1.5, "went down": 2, "offline": 1.5, "unavailable": 2, "downtime": 2,
		"service disruption": 2, "disrupted": 1.5, "disruption": 1.5, "natural disaster": 3,
		"hurricane": 3, "earthquake": 3, "air conditioning": 2,
	},

	"information-content-security:unauthorised-information-access": {
		"snoop*": 3, "unauthorized access": 1.5, "unauthorised access": 1.5,
		"without authorization": 2, "without authorisation": 2, "without permission": 2,
		"inappropriately accessed": 3, "improperly accessed": 3, "accessed the records": 2,
		"accessed records": 2, "looked up": 2, "look up": 2, "curiosity": 2,
		"employee accessed": 3, "former employee": 1.5, "insider": 2, "rogue employee": 3,
		"misus*": 2, "privacy violation*": 1, "identity theft": 1.5, "accessed": 1, "viewed": 1.5,
		"views": 1.5, "viewing": 1.5, "employee": 1, "staff member": 1, "worker": 1, "nurse": 1.5,
		"without justification": 2, "no business": 2, "stealing": 1.5, "took": 1, "sold": 1.5,
		"selling": 1.5, "downloaded": 1.5, "copied": 1.5, "whistleblower": 2, "whistle blower": 2,
		"privacy officer": 1, "access": 1, "accessing": 1.5, "employees": 1, "doctor": 1,
		"possession": 1.5, "kept": 1, "obtained": 1, "illegally": 1, "embezzl*": 1.5, "proprietary": 1,
		"skimmer*": 3, "skimming": 3, "skimmed": 3, "card reader*": 1, "atm": 1.5, "atms": 1.5,
		"gas pump*": 2, "fuel pump*": 2, "pump": 1, "tamper*": 2, "pin pad*": 2, "hidden camera*": 2,
		"medical records": 1, "patient records": 1,
	},
	"information-content-security:unauthorised-information-modification": {
		"ransomware": 6, "ransom*": 3, "encrypted files": 2, "files were encrypted": 3,
		"crypto locker": 4, "locky": 3, "encrypted": 1, "unlock": 1.5, "bitcoin*": 1.5, "extort*": 1.5,
		"deface*": 4, "altered": 2, "falsified": 2, "modified": 1.5, "wiper": 2,
		"decryption key": 2, "cryptolocker": 4, "wannacry": 3,
	},
	"information-content-security:data-loss": {
		"lost": 2.5, "loss of": 1.5, "misplaced": 3, "missing": 2, "went missing": 3,
		"stolen": 2, "theft": 2, "stole": 1.5, "thief": 2, "thieves": 2, "laptop*": 2.5,
		"stolen from": 1.5, "burglar*": 1.5, "break in": 1.5, "broke into": 1, "computer": 1,
		"computers": 1, "desktop*": 1.5, "portable": 1.5, "device": 1, "devices": 1, "disk*": 1,
		"drive": 1, "file": 1, "files": 1, "documents": 1, "boxes": 1.5, "box": 1, "paper*": 1.5, "recovered": 1,
		"backup tape*": 3, "tapes": 1.5, "hard drive*": 1.5, "usb": 2, "memory stick*": 2.5,
		"flash drive*": 2, "thumb drive*": 2, "briefcase": 2, "car": 1.5, "vehicle": 1.5,
		"unencrypted": 1.5, "disk failure": 2, "corrupted": 1.5, "courier": 2, "in transit": 2,
		"left on": 1.5, "taxi": 1.5, "not received": 2,
	},
	"information-content-security:data-leak": {
		"leak*": 2, "exposed": 2, "exposure": 1.5, "publicly accessible": 3, "publicly available": 2,
		"accessible online": 2.5, "posted online": 2.5, "published": 1.5,
		"accidentally": 2.5, "mistakenly": 2.5, "by mistake": 2.5, "in error": 2.5, "error": 1.5,
		"mistake": 2, "wrong": 2.5, "misdirected": 3, "misaddressed": 3,
		"mailed": 1.5, "mailing": 2, "envelope*": 2.5, "letters": 1.5, "sent to": 1.5,
		"emailed": 2, "fax*": 2, "bcc": 3, "recipients": 1.5, "unredacted": 3, "redact*": 3,
		"misconfigur*": 3, "unsecured": 2.5, "unprotected": 2, "open to the internet": 3,
		"elasticsearch": 3, "mongodb": 2.5, "s3 bucket*": 3, "bucket": 2, "dumpster*": 3,
		"trash": 2.5, "garbage": 2.5, "rubbish": 2.5, "recycling": 2.5, "discarded": 3,
		"disposed": 2.5, "disposal": 2.5, "shred*": 2, "landfill": 3, "search engine*": 2,
		"indexed": 2, "glitch": 2.5, "programming error": 3, "software error": 2.5,
		"coding error": 3, "overheard": 3, "verbally": 2, "disclosed": 1.5, "overseen": 2,
		"received": 1.5, "belonged to": 2, "belonging to": 2, "belongs to": 2, "another patient": 2,
		"another customer": 2, "other patients": 1.5, "other customers": 1.5, "wrong patient": 3,
		"incorrect*": 2, "was given": 1.5, "were given": 1.5, "given to": 1, "handed": 1.5,
		"printed": 1, "printing": 1.5, "posted": 1.5, "available online": 2.5, "shared": 1,
		"sent": 1, "personal email": 2.5, "home email": 2, "tweet*": 1.5, "visible": 1.5,
		"could see": 2, "able to see": 2, "able to view": 2, "other users": 1.5,
		"open database": 3, "unsecured database": 3, "researcher": 1.5, "misdeliver*": 3,
		"inadvertent*": 2.5, "distribution": 1, "publishing error": 3, "released": 1.5, "release": 1,
		"statements": 1, "billing": 1, "mail": 1.5, "online": 1, "confidential": 1,
		"medication*": 1, "package": 1, "label": 1, "records": 0.5, "sharing": 1.5,
		"disclosure": 1.5, "password sharing": 3, "sharing a password": 3, "shared password*": 3,
		"sharing of password*": 3, "editing documents for confidentiality": 3,
		// What was exposed, when nothing else is said: information, so this class.
		"personal information": 1, "patient information": 1, "protected health information": 1,
		"phi": 1, "pii": 1, "social security": 1, "date of birth": 1, "hipaa": 1.5, "privacy": 1,
	},

	"fraud:unauthorised-use-of-resources": {
		"cryptomining": 3, "cryptocurrency mining": 3, "acceptable use": 3, "personal use": 2,
		"unauthorized purpose*": 2, "unauthorised purpose*": 2, "pyramid scheme*": 3,
		"chain letter*": 3,
	},
	"fraud:copyright": {
		"piracy": 3, "pirated": 3, "warez": 3, "unlicensed software": 3, "copyright*": 2,
	},
	"fraud:masquerade": {
		"impersonat*": 3, "posing as": 3, "posed as": 3, "pretending to be": 3, "pretended to be": 3,
		"pretext*": 3, "fraudster*": 2, "ceo fraud": 3, "bogus": 2, "business email compromise": 3,
		"wire transfer*": 2, "invoice fraud": 3, "forged": 3, "forgery": 3, "sim swap*": 3,
	},
	"fraud:phishing": {
		"phish*": 4, "spoofed": 2, "spoof*": 1.5, "fake email*": 3, "fraudulent email*": 3,
		"scam email*": 3, "email scam*": 3, "clicked": 2, "credential harvest*": 3,
		"fake login": 3, "gift card*": 2, "scam": 1.5, "w 2": 1.5, "w2": 1.5,
	},

	"vulnerable:vulnerable-system": {
		"vulnerable to": 2, "weakness": 2.5, "security flaw": 2, "could allow": 2.5,
		"end of life": 2, "outdated": 1.5, "unencrypted memory stick": 2,
		"unencrypted removable": 2,
	},
	"vulnerable:weak-crypto": {
		"weak encryption": 3, "weak cipher*": 3,
	},
	"vulnerable:potentially-unwanted-accessible": {
		"open rdp": 3, "rdp exposed": 3, "telnet": 2,
	},
	"vulnerable:ddos-amplifier": {
		"open resolver*": 3, "amplification": 2,
	},

	"test:test": {
		"this is a test": 3, "test incident": 3,
	},
}

// icoRules: ICO incident type ID (internal/taxonomy/data/ico-breach-types.json) -> terms.
// The misdirection words score for both e-mail and post; the channel decides between them.
var icoRules = ruleSet{
	"data-emailed-to-incorrect-recipient": {
		"emailed": 2, "email*": 1.5, "e mail*": 1.5, "wrong recipient*": 1.5, "incorrect recipient*": 1.5,
		"wrong person": 1, "wrong party": 1, "wrong customer": 1, "wrong email address": 3,
		"misdirected email*": 3, "autocomplete": 3, "auto complete": 3, "in error": 1, "by mistake": 1,
		"mistakenly sent": 1, "wrong": 1,
	},
	"data-posted-or-faxed-to-incorrect-recipient": {
		"by post": 2, "post": 1.5, "letter*": 2, "mailed": 2, "mailing": 2, "envelope*": 2, "fax*": 2.5,
		"wrong address*": 2, "incorrect address*": 2, "wrong recipient*": 1, "incorrect recipient*": 1,
		"wrong person": 1, "wrong party": 1, "wrong customer": 1, "misaddressed": 2, "misdirected": 1,
		"in error": 1, "by mistake": 1, "mistakenly sent": 1, "wrong": 1,
	},
	"failure-to-use-bcc": {
		"bcc": 4, "blind copy": 4, "blind carbon": 4, "cc": 2, "all recipients": 2,
		"email addresses visible": 3, "group email": 2, "mass email": 1.5, "bulk email": 1.5,
	},
	"failure-to-redact": {
		"redact*": 4, "unredacted": 4, "blacked out": 2, "metadata": 1.5, "hidden columns": 3,
		"hidden tab*": 3, "pivot table*": 3, "freedom of information": 2, "foi": 2,
		"editing documents for confidentiality": 3,
	},
	"verbal-disclosure": {
		"overheard": 4, "verbal*": 4, "discussed": 2, "discussing": 2, "conversation": 2,
		"over the phone": 2, "gossip*": 3,
	},
	// A device or paperwork type needs both the thing and its loss: "laptop" alone is not one.
	"loss-or-theft-of-device": {
		"laptop*": 1.5, "stolen": 1.5, "lost": 1.5, "theft": 1.5, "missing": 1, "misplaced": 1.5,
		"device*": 0.5, "smartphone*": 1.5, "mobile phone*": 1.5, "tablet*": 1.5, "ipad*": 1.5,
		"usb": 1.5, "memory stick*": 1.5, "flash drive*": 1.5, "thumb drive*": 1.5,
		"hard drive*": 1.5, "external drive*": 1.5, "backup tape*": 1.5, "tapes": 1, "disk*": 1,
		"computer*": 1, "desktop*": 1,
	},
	"loss-or-theft-of-paperwork": {
		"paper*": 1.5, "documents": 1, "files": 1, "file": 1, "folder*": 1.5, "briefcase*": 1.5,
		"bag": 1, "left on": 1.5, "left in": 1, "unattended": 1.5, "misplaced": 1.5, "lost": 1.5,
		"loss of": 1.5, "stolen": 1.5, "missing": 1, "dx": 1.5, "courier": 1.5, "in transit": 1.5,
		"notebook*": 1, "diary": 1, "insecure location": 3, "filing cabinet*": 1.5,
		"not received": 2,
	},
	"insecure-disposal-of-paperwork": {
		"dumpster*": 3, "bin": 2, "bins": 2, "skip": 1.5, "trash": 3, "garbage": 3, "rubbish": 3,
		"recycling": 3, "landfill": 3, "discarded": 2.5, "dumped": 2, "thrown away": 3,
		"disposed": 2, "disposal": 2, "not shredded": 3, "unshredded": 3, "shred*": 1.5,
	},
	"insecure-disposal-of-hardware": {
		"ebay": 2.5, "resold": 2.5, "refurbished": 2, "second hand": 2, "not wiped": 3,
		"decommissioned": 2, "photocopier*": 2.5, "copier*": 2.5,
	},
	"unauthorised-access-non-cyber": {
		"snoop*": 4, "curiosity": 3, "looked up": 3, "look up": 3, "employee accessed": 3,
		"inappropriately accessed": 3, "improperly accessed": 3, "business need": 2,
		"business reason": 2, "relatives": 2, "neighbours": 2, "neighbors": 2, "celebrit*": 2,
		"insider": 2, "misuse*": 2, "misused": 2, "former employee": 1.5, "privacy violation*": 1.5,
		"without authorization": 1, "without authorisation": 1,
	},
	"alteration-of-personal-data": {
		"altered": 3, "alteration": 3, "falsified": 3, "amended": 2, "modified": 2, "overwritten": 2.5,
		"data entry error*": 3, "wrong details": 2, "incorrect details": 2,
	},
	"other-non-cyber": {
		"overseen": 3, "shoulder surf*": 3, "public place": 1.5,
	},
	"phishing": {
		"phish*": 4, "spoofed": 2, "fake email*": 3, "scam email*": 3, "fraudulent email*": 3,
		"clicked": 2, "credential harvest*": 3, "business email compromise": 3, "ceo fraud": 2,
		"impersonat*": 1.5,
	},
	"ransomware": {
		"ransomware": 5, "ransom": 3, "encrypted files": 2, "files were encrypted": 3, "decryption": 2,
	},
	"malware": {
		"malware": 4, "virus": 3, "viruses": 3, "trojan*": 4, "keylog*": 4, "spyware": 4,
		"rootkit*": 4, "infected": 3, "malicious software": 4, "malicious code": 4, "magecart": 4,
		"skimming code": 4, "ram scrap*": 4, "botnet*": 2, "backdoor*": 2,
	},
	"brute-force": {
		"brute force*": 4, "credential stuffing": 4, "password spraying": 4, "password guessing": 4,
		"failed login*": 2,
	},
	"denial-of-service": {
		"denial of service": 4, "ddos*": 4, "dos attack*": 4,
	},
	"hardware-software-misconfiguration": {
		"misconfigur*": 4, "configuration error*": 3, "incorrectly configured": 4,
		"improperly configured": 4, "publicly accessible": 2.5, "unsecured database*": 4,
		"unsecured server*": 4, "elasticsearch": 3, "mongodb": 3, "s3 bucket*": 3, "bucket": 2,
		"open to the internet": 3, "without a password": 2.5, "indexed by": 2, "search engine*": 2,
		"glitch": 2.5, "programming error": 3, "software error": 3, "software bug": 3, "bug": 2,
		"coding error": 3, "technical error": 2.5, "website error": 3,
	},
	"unauthorised-access-cyber": {
		"hack": 3, "hacked": 3, "hacker*": 3, "hacking": 3, "cyber attack*": 2.5, "cyberattack*": 2.5,
		"compromised account*": 3, "account compromise*": 3, "stolen credentials": 3,
		"intrusion": 2.5, "breached": 1.5, "sql injection": 3, "unauthorized access": 1.5,
		"unauthorised access": 1.5, "gained access": 1.5, "attacker*": 2, "cybercriminal*": 3,
		"threat actor*": 3, "email account*": 2, "remote access": 1.5, "login credentials": 2,
		"after the owner has left": 3, "after leaving": 2,
	},
}

// personalRules: terms that suggest personal data is involved (the key is unused but a rule
// set needs one). Negations of the strongest terms subtract.
var personalRules = ruleSet{
	"personal": {
		"personal data": 3, "personal information": 3, "personal details": 3, "personally identifiable": 3,
		"pii": 3, "phi": 3, "protected health information": 3, "health information": 3,
		"medical record*": 3, "medical information": 3, "patient*": 3, "customer data": 3,
		"customer records": 3, "customer information": 3, "customer database*": 3, "customer s file": 3, "customer*": 1.5,
		"client*": 1.5, "member*": 1, "employee records": 3, "employee information": 3,
		"staff records": 3, "hr records": 3, "payroll": 3, "names": 2, "name": 1, "addresses": 2,
		"address": 1.5, "date of birth": 3, "dates of birth": 3, "birth dates": 3, "birthdates": 3,
		"social security": 3, "ssn*": 3, "national insurance": 3, "nhs number*": 3, "passport*": 2.5,
		"driver s licen*": 2.5, "drivers licen*": 2.5, "driving licen*": 2.5, "bank details": 3,
		"bank account*": 2.5, "credit card*": 2.5, "debit card*": 2.5, "card details": 2.5,
		"payment card*": 2.5, "card numbers": 2.5, "email addresses": 2.5, "phone numbers": 2.5,
		"telephone numbers": 2.5, "home address*": 3, "salary": 2.5, "salaries": 2.5, "w 2": 2,
		"w2": 2, "children": 2, "child support": 3, "pupil*": 2.5, "student*": 2, "resident*": 1.5,
		"citizens": 1.5, "voter*": 2, "personnel": 2, "applicant*": 2, "tenant*": 2, "case file*": 2.5,
		"identity theft": 2, "criminal record*": 3, "health": 1.5, "medical": 1.5, "diagnos*": 2.5,
		"prescription*": 2.5, "bcc": 2.5, "relatives": 2, "neighbours": 2, "colleagues": 1,
		"no personal data": -6, "no personal information": -6, "no customer data": -6,
		"no customer information": -6, "no patient information": -6,
	},
}
