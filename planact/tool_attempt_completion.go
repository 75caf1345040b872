package planact

import "context"

// attemptCompletion ends the turn with the model's summary.
type attemptCompletion struct{}

func (attemptCompletion) spec() toolSpec {
	return toolSpec{
		Name:   "attempt_completion",
		Short:  "Finish: report what you did (or your plan).",
		Long:   "Call when the task is done (or, in Plan mode, when the plan is ready). The summary is shown to the user; do not end with a question.",
		Params: []param{{Name: "summary", Type: "string", Doc: "what was done, or the plan", Required: true}},
	}
}

func (attemptCompletion) run(_ context.Context, c *call) result {
	s := argString(c.Args, "summary")
	return result{Status: StatusOK, Output: "Task marked complete.", Summary: s, Done: true}
}
