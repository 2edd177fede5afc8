// Package shop stands for a merchant's service in the test of the GitHub
// Actions example (internal/readme): its tests run as the workflow's
// "merchant tests" step, against the merchant and the fake it started.
package shop
