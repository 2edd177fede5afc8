// Package fault is the fake's fault injection: Fault is the form a user
// writes (its booleans are the admin API's JSON), Kinds the set of effects
// it asks for, checked against the rules as set operations, and API and
// push.Plan the typed plans the API handlers and the push engine carry
// out. A Set holds the active faults and hands out one use at a time.
package fault
