// Command quickstart is the README's quick start: an endpoint that
// verifies WeChat's complaint notifications and logs them, on $ADDR
// (default 127.0.0.1:8000) for the account $WECHAT_APPID with the key
// $WECHAT_PAYSIGNKEY. The README's test checks that its main.go is the
// README's program, as written.
package main
