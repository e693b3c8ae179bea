--[[
  A poll was applied: if it started after the site's first unserved notification, that
  notification is served, and the lag from its arrival to the applied poll is recorded. A
  notification that arrived after the poll started stays pending (the poll may have missed it).

  KEYS[1] the site's push state hash (HubKeys.pushState)
  ARGV[1] when the poll started (ms, Redis time)
  ARGV[2] when the poll was applied (ms)
  Returns the lag in ms, or -1 when no pending notification was served.
]]
local pending = tonumber(redis.call('HGET', KEYS[1], 'pendingSince') or '')
if not pending or pending > tonumber(ARGV[1]) then
  return -1
end
local lag = math.max(0, tonumber(ARGV[2]) - pending)
redis.call('HDEL', KEYS[1], 'pendingSince')
redis.call('HSET', KEYS[1], 'lastLagMs', lag, 'lastServedAt', ARGV[2])
return lag
