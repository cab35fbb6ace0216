package queryapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cairn-sec/cairn"
)

// AlertStatusSetter changes an alert's status (duckdb.Store). The socket
// offers it when its Querier implements it, so cairn alerts ack/close
// work while a collector holds the store: the collector, the only writer,
// makes the change.
type AlertStatusSetter interface {
	SetAlertStatus(ctx context.Context, id string, status cairn.AlertStatus) error
}

type statusRequest struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func registerAlerts(mux *http.ServeMux, q Querier) {
	registerUpsert(mux, q)
	st, ok := q.(AlertStatusSetter)
	if !ok {
		return
	}
	mux.HandleFunc("POST /v1/alerts/status", func(w http.ResponseWriter, r *http.Request) {
		var req statusRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, response{Error: "bad request: " + err.Error()})
			return
		}
		status, err := cairn.ParseAlertStatus(req.Status)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, response{Error: err.Error()})
			return
		}
		if err := st.SetAlertStatus(r.Context(), req.ID, status); err != nil {
			code := http.StatusUnprocessableEntity
			if errors.Is(err, cairn.ErrNoSuchAlert) {
				code = http.StatusNotFound
			}
			writeJSON(w, code, response{Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, response{})
	})
}

// SetAlertStatus asks the collector serving the store in dir to change an
// alert's status. It returns ErrNoServer when no collector serves it, and
// an error wrapping cairn.ErrNoSuchAlert for an unknown ID.
func SetAlertStatus(ctx context.Context, dir, id string, status cairn.AlertStatus) error {
	body, err := json.Marshal(statusRequest{ID: id, Status: string(status)})
	if err != nil {
		return err
	}
	resp, err := post(ctx, dir, "/v1/alerts/status", body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("set alert status via %s: bad response (HTTP %d): %w", SocketPath(dir), resp.StatusCode, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound && out.Error != "":
		return fmt.Errorf("%s: %w", out.Error, cairn.ErrNoSuchAlert)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("the collector serving %s is too old to change alerts", dir)
	case out.Error != "":
		return errors.New(out.Error)
	}
	return nil
}

// post sends one request to the socket of the store in dir.
func post(ctx context.Context, dir, path string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://cairn"+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := socketClient(dir).Do(req)
	if err != nil {
		if isNoServer(err) {
			return nil, ErrNoServer
		}
		return nil, fmt.Errorf("%s %s: %w", SocketPath(dir), path, err)
	}
	return resp, nil
}

// AlertUpserter records alerts with suppression (duckdb.Store); the socket
// offers it so cairn hunt --save works while a collector runs.
type AlertUpserter interface {
	UpsertAlerts(ctx context.Context, alerts []cairn.Alert, window time.Duration) (cairn.AlertCounts, error)
}

type upsertRequest struct {
	Alerts []cairn.Alert `json:"alerts"`
	Window time.Duration `json:"window"`
}

type upsertResponse struct {
	Counts cairn.AlertCounts `json:"counts"`
	Error  string            `json:"error,omitempty"`
}

func registerUpsert(mux *http.ServeMux, q Querier) {
	up, ok := q.(AlertUpserter)
	if !ok {
		return
	}
	mux.HandleFunc("POST /v1/alerts/upsert", func(w http.ResponseWriter, r *http.Request) {
		var req upsertRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<20)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, upsertResponse{Error: "bad request: " + err.Error()})
			return
		}
		n, err := up.UpsertAlerts(r.Context(), req.Alerts, req.Window)
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, upsertResponse{Counts: n, Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, upsertResponse{Counts: n})
	})
}

// UpsertAlerts asks the collector serving the store in dir to record
// alerts with suppression. It returns ErrNoServer when no collector
// serves the store.
func UpsertAlerts(ctx context.Context, dir string, alerts []cairn.Alert, window time.Duration) (cairn.AlertCounts, error) {
	body, err := json.Marshal(upsertRequest{Alerts: alerts, Window: window})
	if err != nil {
		return cairn.AlertCounts{}, err
	}
	resp, err := post(ctx, dir, "/v1/alerts/upsert", body)
	if err != nil {
		return cairn.AlertCounts{}, err
	}
	defer resp.Body.Close()
	var out upsertResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return cairn.AlertCounts{}, fmt.Errorf("save alerts via %s: bad response (HTTP %d): %w", SocketPath(dir), resp.StatusCode, err)
	}
	if out.Error != "" {
		return out.Counts, errors.New(out.Error)
	}
	return out.Counts, nil
}
