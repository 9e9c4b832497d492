-- wrk: POST step 1 of /convince (issue 10's workflow step): each request
-- is a new visitor (a random 256-bit visitor cookie), so the step applies
-- (the state read from Redis, the form validated, the state written by
-- the Lua compare-and-set, 303). CSRF cookie and token from bench.sh.
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
-- Seeded once per run (else every run repeats the same visitors, whose
-- state is already past step 1: 409).
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
function setup(thread)
	thread:set("seed", math.random(1, 1000000000))
end
function init(args)
	csrf, cookie, situation = args[1], args[2], args[3]
	math.randomseed(seed)
end
local function visitor()
	local t = {}
	for i = 1, 43 do
		local k = math.random(1, 64)
		t[i] = alphabet:sub(k, k)
	end
	return table.concat(t)
end
function request()
	local body = "_csrf=" .. csrf .. "&transition=ami&first_name=L%C3%A9a" ..
		"&age=34&gender=female&situation=" .. situation
	return wrk.format("POST", "/convince", {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Cookie"] = "csrf=" .. cookie .. "; visitor=" .. visitor() }, body)
end
