--[[
  Fixed window per widget key and client address, shared by every API process, for widget routes
  whose own script does not count the request itself (availability-read and hold-claim do, in the
  same round trip). See rate_take in includes/common.lua.

  KEYS[1] rl:<key scope>:<client address>   counter, expires with its window
  ARGV[1] window length (ms)
  Returns {count in this window including this request, ms until the window ends}
]]
-- @include common

local n, ttl = rate_take(KEYS[1], ARGV[1])
return { n, ttl }
