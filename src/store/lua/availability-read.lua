--[[
  One round trip for an availability answer: expires what is due, then returns the raw
  claims of the asked ledgers; the caller computes availability from them (src/store/read.ts)
  by the same arithmetic this store's claiming script applies.

  KEYS[1] holds:exp zset
  KEYS[2] rl:<key scope>:<client> rate-limit window of a widget request (unused when ARGV[5] is 0)
  ARGV[1] key prefix
  ARGV[2] JSON [{l, by:'night', d:[dates]} | {l, by:'time', from, to, b, a}]
  ARGV[3] JSON [siteId] whose health (state, lastSuccessAt) to return
  ARGV[4] rate-limit window (ms)   ARGV[5] requests allowed per window, 0 = not limited
  ARGV[6] JSON [version or ''] per ask: the ledger version the caller already holds a read of
  ARGV[7] JSON [ledger] per ask (the `l` of ARGV[2]), so versions are checked without decoding ARGV[2]
  ARGV[8] the hub-wide version ('~all') at which the caller saw the versions of ARGV[6], or '':
          when it is still current no ledger changed, and nothing else is decoded or read
  Returns {nowMs, ledgersJSON, healthJSON, versionsJSON, hub-wide version now}
    an ask whose ledger is still at the caller's version is 0 in ledgersJSON (not read again);
    when every ask is, ledgersJSON is the string 'unchanged' and ARGV[2] is not even decoded
    (a 365-night ask is large: the common widget read then costs one HMGET of versions);
    versionsJSON: each ask's ledger version now ('<epoch>:<n>'); '' with 'unchanged' (ARGV[6])
          | {'rate-limited', count, ms until the window ends}   nothing read
    ledgersJSON: per ask, {used per date, source count per date or false}, or the occupied
                 spans {start, end, qty}
    healthJSON: per site of ARGV[3], the pair {state or false, lastSuccessAt or false}
]]
-- @include common

local p = ARGV[1]
if tonumber(ARGV[5]) > 0 then
  local n, ttl = rate_take(KEYS[2], ARGV[4])
  if n > tonumber(ARGV[5]) then return { 'rate-limited', n, ttl } end
end
local sites = cjson.decode(ARGV[3])
local now = now_ms()
sweep_expired(p, now)

local epoch = redis.call('HGET', p .. 'ver', '~e')
if not epoch then
  epoch = tostring(now)
  redis.call('HSET', p .. 'ver', '~e', epoch)
end
local all = epoch .. ':' .. (redis.call('HGET', p .. 'ver', '~all') or '0')

local health = {}
for i, s in ipairs(sites) do
  health[i] = redis.call('HMGET', p .. 'health:' .. s, 'state', 'lastSuccessAt')
end
local encoded_health = cjson.encode(health)
if ARGV[8] == all then return { tostring(now), 'unchanged', encoded_health, '', all } end

local known = cjson.decode(ARGV[6])
local ledgers = cjson.decode(ARGV[7])
local versions = {}
local all_known = true
if #ledgers > 0 then
  local raw = redis.call('HMGET', p .. 'ver', unpack(ledgers))
  for i = 1, #ledgers do
    versions[i] = epoch .. ':' .. (raw[i] or '0')
    if known[i] ~= versions[i] then all_known = false end
  end
end
if all_known then return { tostring(now), 'unchanged', encoded_health, '', all } end

local asks = cjson.decode(ARGV[2])
local out = {}
for i, a in ipairs(asks) do
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
return { tostring(now), cjson.encode(out), encoded_health, cjson.encode(versions), all }
