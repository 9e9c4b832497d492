-- wrk: one kind of request of `make bench-launch` (scripts/bench-launch.sh)
-- at a fixed rate. One wrk per kind runs at once, each with one thread:
--   wrk -t1 -c CONNS -d SECONDS --timeout T -s launch_mix.lua URL -- \
--       MODE RATE DATA BASE CSRF CSRF_COOKIE TAG
-- MODE: get (DATA: one path a line; anonymous, as a visitor arriving from
-- the announcement: nginx's micro-cache answers when it can), signup (a
-- fresh address each time, tagged TAG; DATA unused), login (DATA: one
-- member's address a line; the password is the bench's), rsvp or apply
-- (DATA: "SID<TAB>PATH" a line: a logged-in member's session and the
-- event's /events/SLUG/rsvp or the mission's /missions/SLUG/apply). Lines
-- are taken in turn from line BASE (the script passes, for applications,
-- the count already used: a member applies once to a mission).
--
-- Pacing: the thread hands out send times RATE a second (LuaJIT's ffi
-- reads the monotonic clock); a connection that comes back for its next
-- request waits for the next free time. So the rate asked does not depend
-- on the answers' time as long as a connection is free; when they are all
-- busy (the server is saturated) the thread falls behind, catches up at
-- most 250 ms of it, and the rate reached shows the shortfall. Latency is
-- wrk's: from the request written to the answer read (not the time a
-- request waited for a free connection).
--
-- Forms (every mode but get) count the answers by status in response();
-- done() prints one machine-readable line per figure ("kv NAME VALUE"),
-- read by the script.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } launch_timespec;
int clock_gettime(int clk, launch_timespec *ts);
]]
local ts = ffi.new("launch_timespec")
local function now_ms()
	ffi.C.clock_gettime(1, ts)	-- CLOCK_MONOTONIC
	return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
function setup(thread)
	thread:set("tid", tostring(#threads + 1))
	table.insert(threads, thread)
end

local mode, interval, lines, base, csrf, cookie, tag
local n, nextt = 0, nil
counts = {}	-- status -> answers (forms only); read by done()

local function split_tab(s)
	local a, b = s:match("^([^\t]*)\t(.*)$")
	return a, b
end

function init(args)
	mode = args[1]
	interval = 1000 / tonumber(args[2])
	base = tonumber(args[4]) or 0
	csrf, cookie, tag = args[5] or "", args[6] or "", args[7] or "x"
	lines = {}
	if args[3] and args[3] ~= "-" then
		for l in io.lines(args[3]) do
			if l ~= "" then lines[#lines + 1] = l end
		end
	end
	if mode ~= "signup" and #lines == 0 then
		error("launch_mix.lua: no data for mode " .. tostring(mode))
	end
	if mode == "get" then
		n = math.random(#lines) - 1	-- not every kind from line 1
		-- No answer callback: wrk then skips the headers and bodies, and
		-- its non-2xx/3xx count is the pages' check (a 3xx passes).
		response = nil
	end
end

function delay()
	local now = now_ms()
	if not nextt or nextt < now - 250 then
		nextt = nextt and now - 250 or now
	end
	local wait = nextt - now
	nextt = nextt + interval
	if wait < 0 then return 0 end
	return wait
end

local FORM = "application/x-www-form-urlencoded"
local MOTIVATION = "Je+suis+disponible+et+motiv%C3%A9e+pour+aider%2C+" ..
	"d%C3%A8s+ce+week-end."

function request()
	local i = base + n
	n = n + 1
	if mode == "get" then
		return wrk.format("GET", lines[(i % #lines) + 1])
	end
	if mode == "signup" then
		local email = "lr-" .. tag .. "-" .. tid .. "-" .. n .. "%40bench.test"
		local body = "_csrf=" .. csrf .. "&first_name=Jeanne&last_name=Launch" ..
			"&email=" .. email .. "&password=benchmark-pass&gender=female" ..
			"&birth_date=1990-01-01&street=1+rue+de+la+R%C3%A9publique" ..
			"&postal_code=69001&country=FR&city_code=69381&charter=1"
		return wrk.format("POST", "/signup", { ["Content-Type"] = FORM,
			["Cookie"] = "csrf=" .. cookie }, body)
	end
	if mode == "login" then
		local body = "_csrf=" .. csrf .. "&email=" ..
			lines[(i % #lines) + 1]:gsub("@", "%%40") ..
			"&password=benchmark-pass"
		return wrk.format("POST", "/login", { ["Content-Type"] = FORM,
			["Cookie"] = "csrf=" .. cookie }, body)
	end
	local sid, path = split_tab(lines[(i % #lines) + 1])
	local body = "_csrf=" .. csrf
	if mode == "apply" then
		body = body .. "&motivation=" .. MOTIVATION .. "&waitlist=1"
	end
	return wrk.format("POST", path, { ["Content-Type"] = FORM,
		["Cookie"] = "csrf=" .. cookie .. "; sid=" .. sid }, body)
end

function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
	local e = summary.errors
	local function kv(k, v) io.write("kv ", k, " ", tostring(v), "\n") end
	kv("requests", summary.requests)
	kv("seconds", string.format("%.3f", summary.duration / 1e6))
	kv("p50_ms", string.format("%.2f", latency:percentile(50) / 1000))
	kv("p99_ms", string.format("%.2f", latency:percentile(99) / 1000))
	kv("max_ms", string.format("%.2f", latency.max / 1000))
	kv("non2xx3xx", e.status)
	kv("timeouts", e.timeout)
	kv("sockerr", e.connect + e.read + e.write)
	local all = {}
	for _, t in ipairs(threads) do
		local c = t:get("counts")
		if c then
			for s, k in pairs(c) do all[s] = (all[s] or 0) + k end
		end
	end
	for s, k in pairs(all) do kv("status_" .. s, k) end
end
