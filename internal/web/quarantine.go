package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/download"
)

// registerQuarantine adds the administrators' list of refused e-mails (issue 9: every rejected
// message is kept with the reason) and the download of one for inspection.
func (h *Handler) registerQuarantine(mux *http.ServeMux) {
	mux.Handle("GET /admin/quarantine", h.staff(h.quarantine))
	mux.Handle("GET /admin/quarantine/{id}", h.staff(h.quarantined))
}

func (h *Handler) quarantine(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	items, err := h.svc.Quarantine(r.Context(), p, 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "quarantine", page{Title: "Refused e-mails", Data: items})
}

// quarantined sends the raw message as a download, never shown in the page: it may be hostile.
func (h *Handler) quarantined(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	q, f, err := h.svc.OpenQuarantined(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer f.Close()
	if _, err := io.Copy(download.New(w, "message/rfc822", fmt.Sprintf("quarantine-%d.eml", q.ID)), f); err != nil {
		h.log.Debug("sending a quarantined message", "err", err)
	}
}
