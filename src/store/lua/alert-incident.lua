--[[
  Decides what one alert event of an incident does (src/store/alert-store.ts), atomically, so any
  number of processes emitting the same incident send one message (DESIGN §7):
    open:   no open incident -> open it and deliver ('opened');
            open, last delivery at least `reminderEvery` ago -> deliver again ('reminder');
            else -> drop ('dropped', counted in the incident's hash)
    close:  open -> close it and deliver the closing event once ('closed'); else 'none'
    unsend: the delivery chosen for event ARGV[4] could not be queued: forget it, so the next
            event of the incident is delivered ('unsent')

  KEYS[1] alert:<incident> hash  openedAt, lastSentAt (ms, see ARGV[6]), sentId, sent, dropped,
                                 event (JSON of the opening event)
  ARGV[1] 'open' | 'close' | 'unsend'
  ARGV[2] reminderEvery (ms)
  ARGV[3] event JSON (kept while the incident is open)
  ARGV[4] event id
  ARGV[5] ms an incident without any event lives on (a dead incident does not stay open forever)
  ARGV[6] now (ms) from the caller's clock, or '' for Redis' clock (one clock for every process);
          a test injects its clock here to reach reminder times without waiting
  Returns {action, openedAt (ms, 0 when none), dropped so far}
]]
-- @include common

local now = ARGV[6] ~= nil and ARGV[6] ~= '' and tonumber(ARGV[6]) or now_ms()
local key = KEYS[1]
local mode = ARGV[1]
local idle = tonumber(ARGV[5])

if mode == 'close' then
  local h = redis.call('HMGET', key, 'openedAt', 'dropped')
  if not h[1] then return { 'none', 0, 0 } end
  redis.call('DEL', key)
  return { 'closed', tonumber(h[1]), tonumber(h[2]) or 0 }
end

if mode == 'unsend' then
  local h = redis.call('HMGET', key, 'sentId', 'sent')
  if h[1] == ARGV[4] then
    if tonumber(h[2]) == 1 then
      redis.call('DEL', key)
    else
      redis.call('HSET', key, 'lastSentAt', 0)
    end
  end
  return { 'unsent', 0, 0 }
end

local h = redis.call('HMGET', key, 'openedAt', 'lastSentAt', 'dropped')
if not h[1] then
  redis.call('HSET', key, 'openedAt', now, 'lastSentAt', now, 'sentId', ARGV[4], 'sent', 1,
    'dropped', 0, 'event', ARGV[3])
  redis.call('PEXPIRE', key, idle)
  return { 'opened', now, 0 }
end

local opened = tonumber(h[1])
if now - tonumber(h[2]) >= tonumber(ARGV[2]) then
  redis.call('HSET', key, 'lastSentAt', now, 'sentId', ARGV[4])
  redis.call('HINCRBY', key, 'sent', 1)
  redis.call('PEXPIRE', key, idle)
  return { 'reminder', opened, tonumber(h[3]) or 0 }
end

local dropped = redis.call('HINCRBY', key, 'dropped', 1)
redis.call('PEXPIRE', key, idle)
return { 'dropped', opened, dropped }
