-- workload.lua: exercises the Lua interpreter's C code broadly and deterministically
-- (no time, no addresses, no tables or functions as keys), for the gcov oracle test.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end

local function counter()
  local c = 0
  return function() c = c + 1; return c end
end

local Vec = {}
Vec.__index = Vec
Vec.__add = function(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, Vec) end
function Vec.new(x, y) return setmetatable({x = x, y = y}, Vec) end
function Vec:len2() return self.x * self.x + self.y * self.y end

local acc = 0
acc = acc + fib(20)

local next_id = counter()
for _ = 1, 1000 do next_id() end
acc = acc + next_id()

local v = Vec.new(0, 0)
for i = 1, 2000 do v = v + Vec.new(i % 7, i % 11) end
acc = acc + v:len2()

local words = {}
for i = 1, 3000 do words[#words + 1] = string.format("w%05d", (i * 7919) % 3001) end
table.sort(words, function(a, b) return a > b end)
local joined = table.concat(words, ",", 1, 200)
local replaced = joined:gsub("w0*(%d+)", "%1")
acc = acc + #replaced + #joined:upper()

local errors = 0
for i = 1, 300 do
  local ok = pcall(function(n) if n % 3 == 0 then error("boom " .. n) end return n end, i)
  if not ok then errors = errors + 1 end
end
acc = acc + errors

local gen = coroutine.wrap(function()
  for i = 1, 500 do coroutine.yield(i * 2) end
end)
for _ = 1, 500 do acc = acc + gen() end

local t = {}
for i = 1, 5000 do t[i] = i * 1.5 end
for i = 1, 5000, 2 do t[i] = nil end
local n = 0
for _, x in pairs(t) do n = n + x end
acc = acc + math.floor(n)

local s = string.rep("abc", 1000)
local count = select(2, s:gsub("b", "B"))
acc = acc + count + utf8.len("héllo wörld")

print(string.format("%.1f", acc))
