// Package download sends a generated file over HTTP for both the API and the web pages. The
// headers go out with the first byte, so an export that fails before writing anything can
// still be answered with an ordinary error page or problem document.
package download

import (
	"fmt"
	"mime"
	"net/http"
)

// Writer is an http.ResponseWriter wrapper for one file download.
type Writer struct {
	w           http.ResponseWriter
	contentType string
	filename    string
	started     bool
}

// New prepares a download of filename with the given media type; an empty filename sends
// the document to be shown in place rather than saved.
func New(w http.ResponseWriter, contentType, filename string) *Writer {
	return &Writer{w: w, contentType: contentType, filename: filename}
}

// Write sends the headers on the first call, then the bytes.
func (d *Writer) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		h := d.w.Header()
		h.Set("Content-Type", d.contentType)
		if d.filename != "" { // shown in place, e.g. a paste-ready HTML pack
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.filename}))
		}
		h.Set("Cache-Control", "no-store") // registers of breaches must not linger in caches
		h.Set("X-Content-Type-Options", "nosniff")
		d.w.WriteHeader(http.StatusOK)
	}
	n, err := d.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("sending %s: %w", d.filename, err)
	}
	return n, nil
}

// Started reports whether anything was sent; after that an error can only be logged.
func (d *Writer) Started() bool { return d.started }

// Send answers with a document already rendered in memory.
func Send(w http.ResponseWriter, contentType, filename string, body []byte) error {
	_, err := New(w, contentType, filename).Write(body)
	return err
}
