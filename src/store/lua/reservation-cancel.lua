--[[
  Cancels a reservation: its capacity is free at once, and a site with its own system gets
  the cancellation through the outbox. Idempotent.

  KEYS[1] resv:<id> hash   KEYS[2] outbox stream
  ARGV[1] key prefix   ARGV[2] reservation id   ARGV[3] who cancelled (for the record)
  Returns {'ok', previousStatus} | {'missing'} | {'already'}
]]
-- @include common

local p = ARGV[1]
local now = now_ms()
local r = redis.call('HMGET', KEYS[1], 'status', 'items')
if not r[1] then return { 'missing' } end
if r[1] == 'cancelled' or r[1] == 'failed' then return { 'already' } end

local items = cjson.decode(r[2])
release_items(p, items)
forget_reported(p, ARGV[2], items)
unindex_resv(p, ARGV[2], items)
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelledBy', ARGV[3], 'updatedAt', now)
local wb = false
for _, it in ipairs(items) do
  if it.wb == 1 then wb = true end
end
if wb then redis.call('XADD', KEYS[2], '*', 'reservation', ARGV[2], 'op', 'cancel') end
return { 'ok', r[1] }
