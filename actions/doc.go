// Package actions parses the edit formats models write, applies them with
// forgiving but unambiguous matching, writes files atomically and builds
// diffs and hunks; it never calls a model.
package actions
