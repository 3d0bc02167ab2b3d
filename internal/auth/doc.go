// Package auth owns who may do what: roles, principals, password and token hashing, and the
// one authoriser every path asks. It does no I/O; the service layer loads the facts it needs.
package auth
