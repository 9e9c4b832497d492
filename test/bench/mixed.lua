-- wrk: a mix of the pages a visitor loads, for the worker memory check.
local paths = { "/", "/signup", "/login", "/api/cities?country=FR&postal_code=69001",
	"/api/cities?country=FR&postal_code=75008", "/health", "/nope",
	"/signup/confirm/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	"/api/cities?country=FR&postal_code=zz" }
local i = 0
function request()
	i = i + 1
	return wrk.format("GET", paths[(i % #paths) + 1])
end
