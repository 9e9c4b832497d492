-- wrk: a burst of registrations to one event (POST /events/{slug}/rsvp),
-- each with a fresh e-mail, as guests (CSRF cookie + token obtained once
-- by bench.sh). Each thread stops after its share of args[4] requests,
-- so the burst has an exact size (the last connections' requests
-- beyond it are GET /health).
local n, done = 0, 0
function setup(thread)
	thread:set("tid", tostring(math.random(1, 1000000000)))
end
function init(args)
	csrf, cookie, slug = args[1], args[2], args[3]
	quota = math.floor(tonumber(args[4]) / tonumber(args[5]))
end
function request()
	n = n + 1
	if n > quota then	-- in flight when the thread stops: not a registration
		return wrk.format("GET", "/health")
	end
	local body = "_csrf=" .. csrf .. "&first_name=Jean&last_name=Rafale" ..
		"&email=r" .. tid .. "-" .. n .. "%40bench.test&postal_code=69001"
	return wrk.format("POST", "/events/" .. slug .. "/rsvp", {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Cookie"] = "csrf=" .. cookie }, body)
end
function response(status)
	done = done + 1
	if done >= quota then wrk.thread:stop() end
end
