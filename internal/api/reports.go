package api

import (
	"net/http"
)

// ReportReceipt is what an unauthenticated reporter gets back: the reference to quote and
// the secret token of their status link. The token is shown only here.
type ReportReceipt struct {
	Ref         string `json:"ref"`
	StatusToken string `json:"status_token"`
	StatusURL   string `json:"status_url"`
}

func (a *API) submitReport(w http.ResponseWriter, r *http.Request) {
	if !a.publicReports {
		writeProblem(w, http.StatusNotFound, "Reporting without signing in is switched off",
			"This organisation takes reports from signed-in users only. Ask your incident team how to report.", nil)
		return
	}
	if !a.reports.Allow(clientIP(r)) {
		w.Header().Set("Retry-After", "60")
		writeProblem(w, http.StatusTooManyRequests, "Too many reports", "Wait a minute and try again.", nil)
		return
	}
	patch, ok := readIncident(w, r)
	if !ok {
		return
	}
	inc, token, err := a.svc.SubmitReport(r.Context(), patch)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ReportReceipt{Ref: inc.Ref, StatusToken: token, StatusURL: "/api/v1/reports/" + token})
}

func (a *API) reportStatus(w http.ResponseWriter, r *http.Request) {
	st, err := a.svc.StatusByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
