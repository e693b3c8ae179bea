--[[
  Turns a live hold into a reservation and, where a site has its own system, an outbox entry,
  in one step: a crash can never leave a reservation without its write-back or the reverse.

  KEYS[1] holds:exp zset   KEYS[2] hold:<id> hash   KEYS[3] resv:<reservationId> hash
  KEYS[4] outbox stream
  ARGV[1] key prefix   ARGV[2] hold id   ARGV[3] reservation id
  ARGV[4] reservation token (returned again on a repeated confirm; the hold id is the
          capability that earns it)
  Also adds the reservation to resvs:created (zset id -> created at; built from the prefix).
  Returns
    {'ok', reservationId, status, token}
    {'already', reservationId, status, token}   the hold was confirmed before
    {'expired'}   {'released'}   {'missing'}
]]
-- @include common

local p = ARGV[1]
local hold_id = ARGV[2]
local resv_id = ARGV[3]
local now = now_ms()

local h = redis.call('HMGET', KEYS[2], 'status', 'expiresAt', 'items', 'client', 'meta',
  'reservation')
local status = h[1]
if not status then return { 'missing' } end
if status == 'confirmed' then
  local r = redis.call('HMGET', p .. 'resv:' .. h[6], 'status', 'token')
  return { 'already', h[6], r[1], r[2] }
end
if status == 'released' then return { 'released' } end
if status == 'expired' or tonumber(h[2]) <= now then
  if status == 'held' then expire_hold(p, hold_id) end
  sweep_expired(p, now)
  return { 'expired' }
end

local items = cjson.decode(h[3])
local needs_writeback = false
for _, it in ipairs(items) do
  if it.wb == 1 then needs_writeback = true end
end
local rstatus = needs_writeback and 'pending' or 'confirmed'

redis.call('HSET', KEYS[3], 'status', rstatus, 'holdId', hold_id, 'items', h[3], 'meta', h[5],
  'token', ARGV[4], 'createdAt', now, 'updatedAt', now)
redis.call('HSET', KEYS[2], 'status', 'confirmed', 'reservation', resv_id)
redis.call('PEXPIRE', KEYS[2], 86400000)
redis.call('ZREM', KEYS[1], hold_id)
unindex_hold(p, hold_id, items)
index_resv(p, resv_id, items)
redis.call('ZADD', p .. 'resvs:created', now, resv_id)
if h[4] and h[4] ~= '' then redis.call('ZREM', p .. 'client:' .. h[4], hold_id) end
if needs_writeback then
  redis.call('XADD', KEYS[4], '*', 'reservation', resv_id, 'op', 'create')
end
return { 'ok', resv_id, rstatus, ARGV[4] }
