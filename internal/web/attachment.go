package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

func (h *Handler) upload(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	r.Body = http.MaxBytesReader(w, r.Body, service.MaxAttachment+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		msg := "Select a file"
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			msg = "The file must be smaller than 20 MB"
		}
		h.updateError(w, r, p, domain.FieldError{Field: "file", Message: msg})
		return
	}
	defer f.Close()
	_, err = h.svc.AddAttachment(r.Context(), p, r.PathValue("ref"), hdr.Filename, hdr.Header.Get("Content-Type"), f)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.updateError(w, r, p, ve.Fields...)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+r.PathValue("ref")+"?done=attached", http.StatusSeeOther)
}

// download serves an attachment as a download, never rendered: evidence such as a phishing
// page must not run in Vigil's origin.
func (h *Handler) download(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	a, body, err := h.svc.OpenAttachment(r.Context(), p, r.PathValue("ref"), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer body.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	if _, err := io.Copy(w, body); err != nil {
		h.log.Warn("sending attachment", "err", err)
	}
}
