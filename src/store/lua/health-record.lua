--[[
  Records one poll outcome and moves the site's health state machine (DESIGN §4, issue #6):
    healthy -> degraded  on a failed poll
    -> limited           after `failures` consecutive failures
    limited|degraded -> healthy after `recover` consecutive successes (degraded: at once)
  Every transition is appended to the site's history with its time and reason.

  KEYS[1] health:<site> hash   KEYS[2] health-log:<site> list (newest first, capped)
  ARGV[1] 'success' | 'failure' | 'stale' (the watchdog: no good data for too long)
  ARGV[2] failures before limited   ARGV[3] successes to recover
  ARGV[4] error code ('' on success)   ARGV[5] error message ('' on success)
  ARGV[6] data time for a success (ms; 0 = now)
  Returns {state, previousState}
]]
-- @include common

local now = now_ms()
local h = redis.call('HMGET', KEYS[1], 'state', 'failures', 'successes')
local state = h[1] or 'healthy'
local failures = tonumber(h[2]) or 0
local successes = tonumber(h[3]) or 0
local prev = state
local reason

if ARGV[1] == 'success' then
  failures = 0
  successes = successes + 1
  local asof = tonumber(ARGV[6])
  if asof == 0 then asof = now end
  redis.call('HSET', KEYS[1], 'lastSuccessAt', asof, 'lastPollAt', now)
  if state == 'degraded' or (state == 'limited' and successes >= tonumber(ARGV[3])) then
    state = 'healthy'
    reason = 'polls succeed again'
  end
elseif ARGV[1] == 'stale' then
  if state ~= 'limited' then
    state = 'limited'
    reason = ARGV[5]
  end
else
  successes = 0
  failures = failures + 1
  redis.call('HSET', KEYS[1], 'lastPollAt', now, 'lastErrorAt', now, 'lastErrorCode', ARGV[4], 'lastError', ARGV[5])
  if failures >= tonumber(ARGV[2]) and state ~= 'limited' then
    state = 'limited'
    reason = failures .. ' consecutive failed polls: ' .. ARGV[5]
  elseif state == 'healthy' then
    state = 'degraded'
    reason = 'poll failed: ' .. ARGV[5]
  end
end

redis.call('HSET', KEYS[1], 'state', state, 'failures', failures, 'successes', successes)
if state ~= prev then
  redis.call('HSET', KEYS[1], 'since', now)
  redis.call('LPUSH', KEYS[2], cjson.encode({ at = now, from = prev, to = state, reason = reason }))
  redis.call('LTRIM', KEYS[2], 0, 99)
end
return { state, prev }
