--[[
  Token bucket per credential, shared by every worker process (DESIGN §5). Tokens refill
  continuously at `rate` per second up to `burst`.

  KEYS[1] quota:<credential> hash {tokens, at}
  ARGV[1] rate (tokens per second)   ARGV[2] burst (bucket size)
  Returns 0 when a token was taken, else the milliseconds to wait before trying again.
]]
-- @include common

local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = now_ms()
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 60000)
return wait
