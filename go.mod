module github.com/payfeedback/payfeedback

go 1.26.0

require (
	github.com/beevik/etree v1.8.1
	github.com/google/go-cmp v0.7.0
	golang.org/x/time v0.16.0
)
