package service

// SetMaxPDFEntries lets tests reach the PDF cap without writing 10,000 breaches.
func SetMaxPDFEntries(n int) (restore func()) {
	old := maxPDFEntries
	maxPDFEntries = n
	return func() { maxPDFEntries = old }
}
