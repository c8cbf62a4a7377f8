-- bench.lua: a Lua workload for the cprof benchmarks (calls, tables, strings, closures).
-- usage: lua bench.lua [scale]   Prints a checksum line per part; the output is deterministic.
local scale = tonumber(arg and arg[1]) or 10

-- calls: recursion and many small function calls
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local function calls()
  local s = 0
  for _ = 1, scale do s = s + fib(22) end
  return s
end

-- tables: array and hash parts, insertion, sort, iteration
local function tables()
  local s = 0
  for r = 1, scale do
    local t, h = {}, {}
    for i = 1, 20000 do
      t[#t + 1] = (i * 7919 + r) % 10007
      h["k" .. (i % 4096)] = i
    end
    table.sort(t)
    for i = 1, #t, 97 do s = s + t[i] end
    for k, v in pairs(h) do s = s + #k + v % 13 end
    local removed = 0
    while #t > 15000 do removed = removed + table.remove(t) end
    s = (s + removed) % 1000000007
  end
  return s
end

-- strings: formatting, concatenation, patterns, gsub
local function strings()
  local s = 0
  for r = 1, scale do
    local parts = {}
    for i = 1, 4000 do parts[i] = string.format("%d:%x:%s", i, i * r, ("ab"):rep(i % 5)) end
    local str = table.concat(parts, ",")
    local n = 0
    for a, b in str:gmatch("(%d+):(%x+)") do n = n + #a + #b end
    local up, cnt = str:gsub("ab", "XY")
    s = (s + n + cnt + #up + #str:upper() + select(2, str:find("4000:", 1, true))) % 1000000007
  end
  return s
end

-- closures: creating and calling closures, upvalues, higher-order functions
local function closures()
  local function counter(start)
    local c = start
    return function(d) c = c + d; return c end
  end
  local function map(t, f) local o = {} for i = 1, #t do o[i] = f(t[i]) end return o end
  local function fold(t, f, acc) for i = 1, #t do acc = f(acc, t[i]) end return acc end
  local s = 0
  for r = 1, scale do
    local base = {}
    for i = 1, 5000 do base[i] = i end
    for k = 1, 6 do
      local c = counter(r + k)
      local m = map(base, function(x) return c(x % 3) + x end)
      s = (s + fold(m, function(a, b) return (a + b) % 1000003 end, 0)) % 1000000007
    end
  end
  return s
end

-- objects: metatables and method calls
local function objects()
  local Vec = {}
  Vec.__index = Vec
  function Vec.new(x, y) return setmetatable({x = x, y = y}, Vec) end
  function Vec.__add(a, b) return Vec.new(a.x + b.x, a.y + b.y) end
  function Vec:dot(o) return self.x * o.x + self.y * o.y end
  local s = 0
  for r = 1, scale do
    local acc = Vec.new(0, 0)
    for i = 1, 20000 do
      local v = Vec.new(i % 17, r)
      acc = acc + v
      s = (s + v:dot(acc)) % 1000000007
    end
  end
  return s
end

-- coroutines: resume/yield (longjmp-free in 5.4, but exercises the C stack switching)
local function coros()
  local s = 0
  for _ = 1, scale do
    local co = coroutine.wrap(function() for i = 1, 5000 do coroutine.yield(i) end return 0 end)
    for _ = 1, 5000 do s = s + co() end
  end
  -- errors unwind with longjmp
  for i = 1, 200 * scale do
    local ok = pcall(error, i)
    if not ok then s = s + 1 end
  end
  return s
end

print("calls", calls())
print("tables", tables())
print("strings", strings())
print("closures", closures())
print("objects", objects())
print("coroutines", coros())
