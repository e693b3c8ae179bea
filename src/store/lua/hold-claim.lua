--[[
  Claims capacity for every item of a hold, all or nothing.

  KEYS[1] holds:exp zset      KEYS[2] hold:<id> hash
  KEYS[3] idempotency key ('' slot unused when ARGV[4] is '')
  KEYS[4] client:<key scope>|<addr> zset (open holds of one widget key's client)
  KEYS[5] rl:<key scope>:<client> rate-limit window of a widget request (unused when ARGV[10] is 0)
  ARGV[1] key prefix (with hash tag)
  ARGV[2] hold id
  ARGV[3] time to live, ms
  ARGV[4] request fingerprint for Idempotency-Key, or '' without one
  ARGV[5] max open holds for the client, 0 = no limit
  ARGV[6] client id '<key scope>|<address>' (the cap is per widget key and client), or ''
  ARGV[7] items JSON: [{l, by, q, cap, d?: [dates], s?, e?, b, a, site, res, wb}]
  ARGV[8] hold metadata JSON (customer, key id), stored as is
  ARGV[9] rate-limit window (ms)   ARGV[10] requests allowed per window, 0 = not limited
  ARGV[11] JSON {lo, hi}: the instants (ms) between which the caller's rule checks (notice,
           advance) hold, or '' for none; Redis' clock outside them claims nothing
  ARGV[12] JSON {refuse: [site], report: [site]}: a site in `refuse` whose health record says
           limited refuses the hold; `report` sites that are limited are listed in the answer;
           '' when both are empty (nothing to decode)
  Returns
    {'ok', holdId, expiresAt, now, limitedJSON}   limitedJSON: the `report` sites that are limited
    {'rate-limited', count, ms until the window ends}
    {'clock', now}                          the rules were checked for another instant
    {'site-limited', site}
    {'replay', holdId, expiresAt, status}   same Idempotency-Key and fingerprint
    {'mismatch', holdId}                    same Idempotency-Key, other request
    {'unavailable', itemIndex, where}       where: a date, or the start ms of the item
    {'too-many-holds', open}
]]
-- @include common

local p = ARGV[1]
local id = ARGV[2]
local ttl = tonumber(ARGV[3])
local fp = ARGV[4]
local max_open = tonumber(ARGV[5])
local client = ARGV[6]
local items = cjson.decode(ARGV[7])
local now = now_ms()

if tonumber(ARGV[10]) > 0 then
  local n, ttl = rate_take(KEYS[5], ARGV[9])
  if n > tonumber(ARGV[10]) then return { 'rate-limited', n, ttl } end
end
if ARGV[11] ~= '' then
  local w = cjson.decode(ARGV[11])
  if now < w.lo or now > w.hi then return { 'clock', int(now) } end
end
local health = ARGV[12] == '' and { refuse = {}, report = {} } or cjson.decode(ARGV[12])
local function limited(site) return redis.call('HGET', p .. 'health:' .. site, 'state') == 'limited' end
for _, site in ipairs(health.refuse) do
  if limited(site) then return { 'site-limited', site } end
end

sweep_for(p, item_ledgers(items), now)

if fp ~= '' then
  local prior = redis.call('GET', KEYS[3])
  if prior then
    local pid, pfp = string.match(prior, '^([^|]*)|(.*)$')
    if pfp ~= fp then return { 'mismatch', pid } end
    local h = redis.call('HMGET', p .. 'hold:' .. pid, 'expiresAt', 'status')
    return { 'replay', pid, h[1] or '0', h[2] or 'expired' }
  end
end

if max_open > 0 and client ~= '' then
  local open = open_holds(KEYS[4], now)
  if open >= max_open then return { 'too-many-holds', open } end
end

-- Check every item first, counting earlier items of this hold on the same ledger.
local pending_nights = {}
local pending_spans = {}
for i, it in ipairs(items) do
  if it.by == 'night' then
    local used, src = night_usage(p, it.l, it.d)
    pending_nights[it.l] = pending_nights[it.l] or {}
    for j, d in ipairs(it.d) do
      local already = used[j] + (pending_nights[it.l][d] or 0)
      local cap = it.cap
      if src[j] and src[j] < cap then cap = src[j] end
      if already + it.q > cap then return { 'unavailable', i, d } end
    end
    for _, d in ipairs(it.d) do
      pending_nights[it.l][d] = (pending_nights[it.l][d] or 0) + it.q
    end
  else
    -- The item's occupied span, buffers included: a claim that meets only a buffer conflicts too.
    local from, to = it.s - it.b, it.e + it.a
    local spans = time_claims(p, it.l, from, to, it.b, it.a)
    for _, sp in ipairs(pending_spans[it.l] or {}) do spans[#spans + 1] = sp end
    if max_concurrent(spans, from, to) + it.q > it.cap then
      return { 'unavailable', i, tostring(it.s) }
    end
    pending_spans[it.l] = pending_spans[it.l] or {}
    table.insert(pending_spans[it.l], { from, to, it.q })
  end
end

-- Every item fits: claim them all. Items booked by time get their claim's member (it.m), so the
-- hold's record is encoded again; otherwise it is stored as it came (one encode less per claim).
local stored = ARGV[7]
for i, it in ipairs(items) do
  touch(p, it.l)
  if it.by == 'night' then
    local key = p .. 'n:' .. it.l
    local q = int(it.q)
    for _, d in ipairs(it.d) do redis.call('HINCRBY', key, d, q) end
  else
    it.m = 'h:' .. id .. ':' .. i .. '|' .. int(it.s) .. '|' .. int(it.e) .. '|' .. int(it.q)
    stored = nil
    redis.call('ZADD', p .. 't:' .. it.l, int(it.s), it.m)
    local len = it.e - it.s
    local cur = tonumber(redis.call('HGET', p .. 'tlen', it.l) or '0')
    if len > cur then redis.call('HSET', p .. 'tlen', it.l, len) end
  end
end

local expires = now + ttl
local expires_s, now_s = int(expires), int(now)
redis.call('HSET', KEYS[2], 'status', 'held', 'expiresAt', expires_s, 'createdAt', now_s,
  'items', stored or cjson.encode(items), 'client', client, 'meta', ARGV[8], 'fingerprint', fp)
redis.call('ZADD', KEYS[1], expires_s, id)
index_hold(p, id, items, expires)
if client ~= '' then add_open_hold(KEYS[4], expires_s, id) end
if fp ~= '' then redis.call('SET', KEYS[3], id .. '|' .. fp, 'PX', 86400000) end
local report = {}
for _, site in ipairs(health.report) do
  if limited(site) then report[#report + 1] = site end
end
return { 'ok', id, expires_s, now_s, #report > 0 and cjson.encode(report) or '[]' }
