// Package repotest holds tests about the repository as a whole: layer
// boundaries, and docs that must not drift from the code. It has no code.
package repotest
