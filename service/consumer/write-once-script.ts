// The idempotent write, as one Lua script so "is it there? if not, append and remember" cannot interleave
// with another consumer doing the same for a redelivered event: Redis runs a script atomically.
//
// KEYS[1]      the stream to append to (output or dead-letter)
// KEYS[2..]    one idempotency key per item, e.g. prediction:<eventId>
// ARGV[1]      TTL of the idempotency keys in seconds (0: no expiry)
// ARGV[2..]    per item: the number of field/value pairs n, then the 2n fields and values
// Returns one integer per item: 1 appended now, 0 already written earlier (nothing appended).
export const WRITE_ONCE_LUA = `
local ttl = tonumber(ARGV[1])
local pos = 2
local results = {}
for i = 2, #KEYS do
  local n = tonumber(ARGV[pos])
  pos = pos + 1
  if redis.call('EXISTS', KEYS[i]) == 1 then
    results[#results + 1] = 0
  else
    local fields = {}
    for j = 0, 2 * n - 1 do fields[#fields + 1] = ARGV[pos + j] end
    local id = redis.call('XADD', KEYS[1], '*', unpack(fields))
    redis.call('HSET', KEYS[i], 'stream_id', id, unpack(fields))
    if ttl > 0 then redis.call('EXPIRE', KEYS[i], ttl) end
    results[#results + 1] = 1
  end
  pos = pos + 2 * n
end
return results
`;
