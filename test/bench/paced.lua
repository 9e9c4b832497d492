-- wrk: a steady load below the peak, for latency (`make bench`, measure
-- 6). Each connection waits CONNS / RATE seconds before each request, so
-- the total is about RATE a second (a little less: the answer's own time
-- adds to the wait; wrk prints the rate reached). The queries go in turn,
-- with the session cookie that makes nginx's micro-cache step aside.
--   wrk -t2 -c CONNS --latency -s paced.lua URL -- RATE CONNS PATH...
-- wrk closes the loop (a connection waits for its answer), so a stall
-- delays the requests behind it without counting their wait; below the
-- peak the server is not queueing, and the p99 is that of the answers.
wrk.headers["Cookie"] = "sid=bench-nocache"
local paths, i, pause = {}, 0, 0

function init(args)
	pause = 1000 * tonumber(args[2]) / tonumber(args[1])
	for k = 3, #args do
		paths[#paths + 1] = args[k]
	end
	i = math.random(#paths)
end

function delay()
	return pause
end

function request()
	i = i + 1
	return wrk.format("GET", paths[(i % #paths) + 1])
end
