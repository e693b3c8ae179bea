--[[
  Gives a live hold's capacity back (the guest changed their mind). Idempotent.

  KEYS[1] holds:exp zset   KEYS[2] hold:<id> hash
  ARGV[1] key prefix   ARGV[2] hold id
  Returns {'ok'} | {'missing'} | {'confirmed'} | {'expired'} (already over, nothing to do)
]]
-- @include common

local p = ARGV[1]
local id = ARGV[2]
local now = now_ms()
sweep_expired(p, now)

local h = redis.call('HMGET', KEYS[2], 'status', 'items', 'client', 'expiresAt')
if not h[1] then return { 'missing' } end
if h[1] == 'confirmed' then return { 'confirmed' } end
if h[1] ~= 'held' then return { h[1] } end
-- Due but not reached by the sweep yet (it goes at most SWEEP_LIMIT holds a script): expired.
local due = tonumber(h[4])
if due and due <= now then
  expire_hold(p, id)
  return { 'expired' }
end

local items = cjson.decode(h[2])
release_items(p, items)
unindex_hold(p, id, items)
redis.call('HSET', KEYS[2], 'status', 'released')
redis.call('PEXPIRE', KEYS[2], 86400000)
redis.call('ZREM', KEYS[1], id)
if h[3] and h[3] ~= '' then redis.call('ZREM', p .. 'client:' .. h[3], id) end
return { 'ok' }
