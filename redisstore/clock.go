package redisstore

import "time"

// nowLua starts each script: now, in ms, from the last ARGV when it is a
// number, else from the server's TIME (allowed before writes since Redis
// 5 replicates scripts by their effects).
const nowLua = `
local now = tonumber(ARGV[#ARGV])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`

// nowArg is the last argument of every script: the time in ms by now, or
// "" for the server's clock.
func nowArg(now func() time.Time) any {
	if now == nil {
		return ""
	}
	return now().UnixMilli()
}
