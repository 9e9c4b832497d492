-- wrk: GET /api/search with several query words in turn (whole words,
-- a word without its accent, a prefix, a plural), straight to the workers
-- (the session cookie makes nginx's micro-cache step aside).
wrk.headers["Cookie"] = "sid=bench-nocache"
local words = { "transports", "ecole", "santé", "logement", "énergie",
	"agriculture", "procuration", "comité", "réno", "budgets",
	"élections municipales", "pistes cyclables" }
local i = 0
function request()
	i = i + 1
	local q = words[(i % #words) + 1]:gsub("([^%w])", function(c)
		return string.format("%%%02X", string.byte(c))
	end)
	return wrk.format("GET", "/api/search?q=" .. q)
end
