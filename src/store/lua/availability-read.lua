--[[
  One round trip for an availability answer: expires what is due, then returns the raw
  claims of the asked ledgers; the caller computes availability from them (src/store/read.ts)
  by the same arithmetic this store's claiming script applies. Every widget request that asks
  the same query in one turn of an API process's event loop is answered by one call of this
  script: it counts each client's requests in its rate-limit window (INCRBY the client's number
  of requests) and reads once.

  KEYS[1] holds:exp zset
  KEYS[2..] rl:<key scope>:<client> rate-limit window per client whose requests this call answers
  ARGV[1] key prefix
  ARGV[2] JSON [{l, by:'night', d:[dates]} | {l, by:'time', from, to, b, a}]
  ARGV[3] JSON [siteId] whose health (state, lastSuccessAt) to return
  ARGV[4] JSON [version or ''] per ask: the ledger version the caller already holds a read of
  ARGV[5] JSON [ledger] per ask (the `l` of ARGV[2]), so versions are checked without decoding ARGV[2]
  ARGV[6] the hub-wide version ('~all') at which the caller saw the versions of ARGV[4], or '':
          when it is still current no ledger changed, and nothing else is decoded or read
  ARGV[7] 1 when a request of this call is not rate-limited (the admin), else 0
  ARGV[8..] per rate-limit key of KEYS[2..], three: window (ms), requests allowed per window,
          this call's requests of that client
  Returns {nowMs, ledgersJSON, healthJSON, versionsJSON, hub-wide version now, windows}
    an ask whose ledger is still at the caller's version is 0 in ledgersJSON (not read again);
    when every ask is, ledgersJSON is the string 'unchanged' and ARGV[2] is not even decoded
    (a 365-night ask is large: the common widget read then costs one HMGET of versions);
    versionsJSON: each ask's ledger version now ('<epoch>:<n>'); '' with 'unchanged' (ARGV[4])
          | {'rate-limited', windows}   every client's first request was over its limit: nothing read
    windows: per rate-limit key, {count in the window after this call, ms until the window ends}
    ledgersJSON: per ask, {used per date, source count per date or false}, or the occupied
                 spans {start, end, qty}
    healthJSON: per site of ARGV[3], the pair {state or false, lastSuccessAt or false}
]]
-- @include common

local p = ARGV[1]
local windows = {}
local open = ARGV[7] == '1'
for i = 2, #KEYS do
  local at = 8 + 3 * (i - 2)
  local count = tonumber(ARGV[at + 2])
  local n, ttl = rate_take(KEYS[i], ARGV[at], count)
  windows[i - 1] = { n, ttl }
  if n - count < tonumber(ARGV[at + 1]) then open = true end
end
if not open then return { 'rate-limited', windows } end
local sites = cjson.decode(ARGV[3])
local now = now_ms()
-- Exact for the asked ledgers however many holds fell due hub-wide (common.lua: sweep_expired).
if not sweep_expired(p, now) then sweep_ledgers(p, cjson.decode(ARGV[5]), now) end

local epoch = redis.call('HGET', p .. 'ver', '~e')
if not epoch then
  epoch = int(now)
  redis.call('HSET', p .. 'ver', '~e', epoch)
end
local all = epoch .. ':' .. (redis.call('HGET', p .. 'ver', '~all') or '0')

local health = {}
for i, s in ipairs(sites) do
  health[i] = redis.call('HMGET', p .. 'health:' .. s, 'state', 'lastSuccessAt')
end
local encoded_health = cjson.encode(health)
if ARGV[6] == all then return { int(now), 'unchanged', encoded_health, '', all, windows } end

local known = cjson.decode(ARGV[4])
local ledgers = cjson.decode(ARGV[5])
local versions = {}
local all_known = true
if #ledgers > 0 then
  local raw = redis.call('HMGET', p .. 'ver', unpack(ledgers))
  for i = 1, #ledgers do
    versions[i] = epoch .. ':' .. (raw[i] or '0')
    if known[i] ~= versions[i] then all_known = false end
  end
end
if all_known then return { int(now), 'unchanged', encoded_health, '', all, windows } end

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
return { int(now), cjson.encode(out), encoded_health, cjson.encode(versions), all, windows }
