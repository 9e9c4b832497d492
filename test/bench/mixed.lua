-- wrk: a mix of the pages a visitor loads, for the worker memory check.
-- The session cookie makes nginx's micro-cache step aside: every request
-- reaches a worker (an unknown session id is just an anonymous visitor).
wrk.headers["Cookie"] = "sid=bench-nocache"
local paths = { "/", "/signup", "/login", "/api/cities?country=FR&postal_code=69001",
	"/api/cities?country=FR&postal_code=75008", "/health", "/nope",
	"/signup/confirm/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	"/api/cities?country=FR&postal_code=zz", "/articles", "/feed.xml",
	"/sitemap.xml", "/robots.txt", "/search?q=campagne", "/api/search?q=lyo",
	"/pages/nope", "/articles/category/nope" }
local i = 0
function request()
	i = i + 1
	return wrk.format("GET", paths[(i % #paths) + 1])
end
