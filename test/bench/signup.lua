-- wrk: POST /signup with a fresh e-mail each time (CSRF cookie + token
-- obtained once by bench.sh; a token stays valid for its cookie).
local n = 0
function setup(thread)
	thread:set("tid", tostring(math.random(1, 1000000000)))
end
function init(args)
	csrf, cookie, run = args[1], args[2], args[3]
end
function request()
	n = n + 1
	local email = "b" .. run .. "-" .. tid .. "-" .. n .. "%40bench.test"
	local body = "_csrf=" .. csrf .. "&first_name=Jean&last_name=Bench" ..
		"&email=" .. email .. "&password=benchmark-pass&gender=male" ..
		"&birth_date=1980-01-01&street=1+rue+de+la+R%C3%A9publique" ..
		"&postal_code=69001&country=FR&city_code=69381&charter=1"
	return wrk.format("POST", "/signup", {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Cookie"] = "csrf=" .. cookie }, body)
end
