package redisstore_test

import (
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/redisstore"
)

// Example wires both stores into a service: the middleware's replay memory
// and the client's token. Nothing is sent to Redis until a notification
// arrives or a token is needed.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	const appID = "wxf8b4f85f3a794e77"
	replay := redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{Prefix: "shop:"})
	tokens := redisstore.NewTokenStore(rdb, redisstore.TokenOptions{Prefix: "shop:"})

	verify := middleware.New(middleware.Config{
		Keys:   middleware.StaticKeys{appID: "the-paySignKey"},
		Replay: replay,
	})
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: appID, Secret: "the-appSecret", TokenStore: tokens,
	})
	if err != nil {
		panic(err)
	}
	_, _ = verify, client

	fmt.Println(replay.Key(appID + ":06ae8680d0c2eb69cbeba9beb1419dd777881875"))
	fmt.Println(tokens.Keys(appID))
	// Output:
	// shop:replay:{wxf8b4f85f3a794e77:06ae8680d0c2eb69cbeba9beb1419dd777881875}
	// shop:token:{wxf8b4f85f3a794e77} shop:lease:{wxf8b4f85f3a794e77}
}
