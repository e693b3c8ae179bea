--[[
  One round trip for an availability answer: expires what is due, then returns the raw
  claims of the asked ledgers; the caller computes availability from them (src/store/read.ts)
  by the same arithmetic this store's claiming script applies.

  KEYS[1] holds:exp zset
  KEYS[2] rl:<key scope>:<client> rate-limit window of a widget request (unused when ARGV[5] is 0)
  ARGV[1] key prefix
  ARGV[2] JSON [{l, by:'night', d:[dates]} | {l, by:'time', from, to, b, a}]
  ARGV[3] JSON [siteId] whose health hashes to return
  ARGV[4] rate-limit window (ms)   ARGV[5] requests allowed per window, 0 = not limited
  ARGV[6] JSON [version or ''] per ask: the ledger version the caller already holds an answer of
  Returns {nowMs, ledgersJSON, healthJSON, versionsJSON}
    an ask whose ledger is still at the caller's version is 0 in ledgersJSON (not read again);
    versionsJSON: each ask's ledger version now ('<epoch>:<n>')
          | {'rate-limited', count, ms until the window ends}   nothing read
    ledgersJSON: per ask, {used per date, source count per date or false}, or the occupied
                 spans {start, end, qty}
    healthJSON: [{field: value...}] in the order of ARGV[3]
]]
-- @include common

local p = ARGV[1]
if tonumber(ARGV[5]) > 0 then
  local n, ttl = rate_take(KEYS[2], ARGV[4])
  if n > tonumber(ARGV[5]) then return { 'rate-limited', n, ttl } end
end
local asks = cjson.decode(ARGV[2])
local sites = cjson.decode(ARGV[3])
local known = cjson.decode(ARGV[6])
local now = now_ms()
sweep_expired(p, now)

local epoch = redis.call('HGET', p .. 'ver', '~e')
if not epoch then
  epoch = tostring(now)
  redis.call('HSET', p .. 'ver', '~e', epoch)
end
local out = {}
local versions = {}
for i, a in ipairs(asks) do
  versions[i] = epoch .. ':' .. (redis.call('HGET', p .. 'ver', a.l) or '0')
  if known[i] == versions[i] then
    out[i] = 0
  elseif a.by == 'night' then
    if #a.d > 0 then
      local used, src = night_usage(p, a.l, a.d)
      out[i] = { used, src }
    else
      out[i] = { {}, {} }
    end
  else
    out[i] = time_claims(p, a.l, a.from, a.to, a.b, a.a)
  end
end

local health = {}
for i, s in ipairs(sites) do
  local flat = redis.call('HGETALL', p .. 'health:' .. s)
  local h = {}
  for j = 1, #flat, 2 do h[flat[j]] = flat[j + 1] end
  health[i] = h
end
return { tostring(now), cjson.encode(out), cjson.encode(health), cjson.encode(versions) }
