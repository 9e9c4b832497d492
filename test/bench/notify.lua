-- wrk script of test/bench/notify.sh: GET the request targets of a file
-- (one per line) in turn; each thread takes its own share of the lines
-- (line i goes to thread i % threads), so no two threads send the same
-- notification (a file of fewer lines than threads: each thread sends
-- them all). Arguments: FILE THREADS. A thread that has sent all of
-- its lines starts again from its first (a replay); done() says how many
-- requests were sent past the end of the lists.
local threads = {}
local count = 0

function setup(thread)
	count = count + 1
	thread:set("id", count)
	table.insert(threads, thread)
end

function init(args)
	local file, n = args[1], tonumber(args[2])
	local i = 0
	targets = {}
	for line in io.lines(file) do
		if i % n == id - 1 then
			targets[#targets + 1] = line
		end
		i = i + 1
	end
	if #targets == 0 then	-- fewer lines than threads: all of them
		for line in io.lines(file) do
			targets[#targets + 1] = line
		end
	end
	ntargets = #targets
	sent = 0
end

function request()
	sent = sent + 1
	return wrk.format("GET", targets[(sent - 1) % #targets + 1])
end

function done(summary, latency, requests)
	local over = 0
	for _, t in ipairs(threads) do
		local s, n = t:get("sent"), t:get("ntargets")
		if s > n then
			over = over + s - n
		end
	end
	io.write(string.format("wrapped %d\n", over))
end
