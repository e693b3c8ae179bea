--[[
  Fixed window per widget key and client address, shared by every API process. The window starts
  at a client's first request and lasts ARGV[1] by Redis' clock (PTTL), so processes with skewed
  clocks agree.

  KEYS[1] rl:<key scope>:<client address>   counter, expires with its window
  ARGV[1] window length (ms)
  Returns {count in this window including this request, ms until the window ends}
]]
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
