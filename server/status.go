package server

import (
	"context"
	"reflect"

	"github.com/hearth-dev/hearth/protocol"
)

// statusRequest answers hearth/status with the latest status.
func (s *Server) statusRequest(ctx context.Context, _ *protocol.Empty) (*protocol.Status, error) {
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	st := ws.composeStatus()
	return &st, nil
}

// composeStatus builds the status from what the workspace knows now: the
// settings, the sessions, and the latest GPU and Ollama readings.
func (w *workspace) composeStatus() protocol.Status {
	st := protocol.Status{
		Health:    protocol.HealthOK,
		Mode:      protocol.ModePlan,
		GPU:       protocol.GPU{Source: protocol.GPUSourceNone, Devices: []protocol.GPUDevice{}},
		Models:    []protocol.LoadedModel{},
		OllamaURL: w.s.currentSettings().OllamaURL(),
	}
	w.fillStatus(&st)
	w.mu.Lock()
	problem := w.settingsProblem
	w.mu.Unlock()
	if problem != "" {
		st.Message = joinMessages(problem, st.Message)
		if st.Health == protocol.HealthOK {
			st.Health = protocol.HealthWarning
		}
	}
	return st
}

// refreshStatus pushes hearth/status when it differs from the last one
// pushed, so an idle poll costs the editor nothing.
func (w *workspace) refreshStatus(ctx context.Context) {
	st := w.composeStatus()
	w.mu.Lock()
	same := w.lastStatus != nil && reflect.DeepEqual(*w.lastStatus, st)
	if !same {
		w.lastStatus = &st
	}
	w.mu.Unlock()
	if !same {
		w.s.notify(ctx, protocol.MethodStatus, st)
	}
}

func joinMessages(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " · " + b
}
