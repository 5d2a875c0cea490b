-- The wrk script of bench/against_floor.py: requests made from a list of items, and a count of the
-- answers by status code. Arguments after "--" (all of them, in this order):
--
--   mode      "each": every item once, each thread its own slice (item i goes to thread i mod
--             threads); a thread that has used its slice stops and says so ("exhausted"): wrk
--             still divides by the whole duration, so the rate is then understated.
--             "random": items drawn at random, as often as the run lasts.
--   items     a file of items, one a line
--   threads   wrk's -t (to cut the slices)
--   batch     how many random items {items} stands for
--   tag       6 characters that make {uid} unique to the run
--   method    GET or POST
--   path      the path, with {item}
--   body      the body ("" for none), with {item}, {items} (a JSON array of `batch` random items)
--             and {uid} (22 characters, unique per request)
--   key       "1": an Idempotency-Key header of {uid} on every request
--
-- At the end one line "AGAINST_FLOOR {json}" gives what the Python side reads: requests, the
-- answers by status, wrk's socket errors, p50/p99 latency (µs), the run's duration (µs) and
-- whether a thread ran out of items.

local threads = {}
local counter = 1

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

local function fill(template, values)
   return (template:gsub("{(%a+)}", function(name)
      return values[name]
   end))
end

function init(args)
   mode, threads_total, batch = args[1], tonumber(args[3]), tonumber(args[4])
   tag, method, path, body, key = args[5], args[6], args[7], args[8], args[9] == "1"
   items, next_index, sent, statuses, exhausted = {}, 1, 0, {}, false
   local line_number = 0
   for line in io.lines(args[2]) do
      if mode ~= "each" or line_number % threads_total == id - 1 then
         table.insert(items, line)
      end
      line_number = line_number + 1
   end
   math.randomseed(os.time() * 100 + id)
end

local function pick()
   return items[math.random(#items)]
end

function request()
   local item
   if mode == "each" then
      item = items[next_index]
      if item == nil then
         -- Nothing left: stop this thread, and send nothing (wrk writes the empty request as
         -- zero bytes).
         exhausted = true
         wrk.thread:stop()
         return ""
      end
      next_index = next_index + 1
   else
      item = pick()
   end
   sent = sent + 1
   local values = { item = item, uid = string.format("%s%02d%014d", tag, id, sent) }
   if body:find("{items}", 1, true) then
      local chosen = {}
      for i = 1, batch do
         chosen[i] = '"' .. pick() .. '"'
      end
      values.items = "[" .. table.concat(chosen, ",") .. "]"
   end
   local headers = {}
   for name, value in pairs(wrk.headers) do
      headers[name] = value
   end
   if key then
      headers["Idempotency-Key"] = values.uid
   end
   local content = nil
   if body ~= "" then
      content = fill(body, values)
   end
   return wrk.format(method, fill(path, values), headers, content)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total, ran_out = {}, false
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses")) do
         total[status] = (total[status] or 0) + count
      end
      ran_out = ran_out or thread:get("exhausted")
   end
   local counts = {}
   for status, count in pairs(total) do
      table.insert(counts, string.format('"%d": %d', status, count))
   end
   local errors = summary.errors
   io.write(string.format(
      'AGAINST_FLOOR {"requests": %d, "duration_us": %d, "statuses": {%s}, "socket_errors": %d, '
         .. '"timeouts": %d, "p50_us": %d, "p99_us": %d, "exhausted": %s}\n',
      summary.requests, summary.duration, table.concat(counts, ", "),
      errors.connect + errors.read + errors.write, errors.timeout,
      latency:percentile(50), latency:percentile(99), tostring(ran_out)
   ))
end
