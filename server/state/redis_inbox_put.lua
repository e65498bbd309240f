-- KEYS: the item's key, the inbox (a sorted set of item ids scored by
-- when each was left, in ms). ARGV: the item as JSON, its time (ms), its id.
-- Idempotent: an item already kept (and its done mark, kept apart) stays.
redis.call('SET', KEYS[1], ARGV[1], 'NX')
redis.call('ZADD', KEYS[2], 'NX', tonumber(ARGV[2]), ARGV[3])
return 1
