// Package hostguard keeps DNS rebinding away from the fake: every request
// it serves (the WeChat API, the web console and its assets, the admin
// API) must carry a Host that names the fake. A web page on a foreign name
// that rebinds that name to 127.0.0.1 makes the browser send the page's
// own name as Host; refused with 421, the page reads nothing and moves
// nothing, whatever public credentials (the demo account's) it knows.
//
// The names that pass are loopback names (localhost, *.localhost, loopback
// IPs), the address the fake was configured with or listens on (any IP
// literal when it listens on every interface: rebinding needs a name),
// WeChat's own API host names (pointing them at the fake is a legitimate
// way to test a client that cannot change its base URL), and the names
// the user allows (Options.AllowedHosts, payfeedback mock --allow-host).
package hostguard
