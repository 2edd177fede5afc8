package stream_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/stream"
)

// A client follows the feed's complaints as Server-Sent Events.
func Example() {
	feed := events.NewFeed(func() time.Time { return time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC) })
	defer feed.Close()
	hub := stream.New(stream.Options{Subscribe: feed.SubscribeWith})
	srv := httptest.NewServer(hub)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "?kinds=complaint")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	// The hub subscribed for the client before answering its headers:
	// what is published from now on reaches it.
	feed.Publish(events.KindComplaint, func(e *events.Event) {
		e.Change = &events.Change{What: events.ComplaintFiled, FeedBackID: "1086", OpenID: "o-demo", State: "filed"}
	})
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "event: ") {
			fmt.Println(line)
		}
		if strings.HasPrefix(line, "data: ") {
			fmt.Println(strings.Contains(line, `"line":"complaint 1086 filed by o-demo (filed)"`))
			break
		}
	}
	// Output:
	// event: complaint
	// true
}
