/*
 * netaddr (issue 13): LISTEN and FCGI_WEB_SERVER_ADDRS, see netaddr.h.
 */
#include "common.h"
#include "netaddr.h"
#include "parse.h"

#include <arpa/inet.h>
#include <netinet/in.h>

static int
fail(char *err, size_t errsz, const char *msg, const char *spec)
{
	snprintf(err, errsz, "%s (got '%.200s')", msg, spec);
	return -1;
}

static int
listen_parse_unix(const char *spec, const char *path, struct listen_addr *out,
    char *err, size_t errsz)
{
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(out->path))
		return fail(err, errsz, "LISTEN: a unix socket path must have "
		    "1 to 107 characters", spec);
	out->kind = LISTEN_UNIX;
	memcpy(out->path, path, n + 1);
	return 0;
}

int
listen_parse(const char *spec, struct listen_addr *out, char *err,
    size_t errsz)
{
	const char *colon, *host = spec;
	size_t hlen;
	long port;

	memset(out, 0, sizeof(*out));
	if (!strncmp(spec, "unix:", 5))
		return listen_parse_unix(spec, spec + 5, out, err, errsz);
	if (spec[0] == '/')
		return listen_parse_unix(spec, spec, out, err, errsz);
	if (spec[0] == '[') {	/* [v6]:port */
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':')
			return fail(err, errsz, "LISTEN: an IPv6 address is "
			    "written [address]:port", spec);
		host = spec + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return fail(err, errsz, "LISTEN must be unix:/path, "
			    "/path or host:port", spec);
		hlen = (size_t)(colon - spec);
		if (memchr(spec, ':', hlen))
			return fail(err, errsz, "LISTEN: an IPv6 address is "
			    "written [address]:port", spec);
	}
	if (parse_long(colon + 1, 1, 65535, &port) < 0)
		return fail(err, errsz, "LISTEN: the port must be a number in "
		    "1..65535", spec);
	if (hlen >= sizeof(out->host))
		return fail(err, errsz, "LISTEN: host name too long", spec);
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	if (!strcmp(out->host, "*"))
		out->host[0] = '\0';
	if (spec[0] == '[') {
		struct in6_addr a6;

		if (inet_pton(AF_INET6, out->host, &a6) != 1)
			return fail(err, errsz, "LISTEN: not an IPv6 address",
			    spec);
	}
	out->kind = LISTEN_TCP;
	out->port = (unsigned)port;
	return 0;
}

/* One address of the list, spaces trimmed: 0, or -1. */
static int
peer_add(struct peer_list *pl, const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf) || pl->n >= PEER_LIST_MAX)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, pl->a[pl->n].addr) == 1)
		pl->a[pl->n].family = AF_INET;
	else if (inet_pton(AF_INET6, buf, pl->a[pl->n].addr) == 1)
		pl->a[pl->n].family = AF_INET6;
	else
		return -1;
	pl->n++;
	return 0;
}

int
peer_list_parse(const char *list, struct peer_list *pl, char *err,
    size_t errsz)
{
	const char *p = list;

	memset(pl, 0, sizeof(*pl));
	if (!list || !*list) {
		pl->any = 1;
		return 0;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (peer_add(pl, p, n) < 0)
			return fail(err, errsz, "FCGI_WEB_SERVER_ADDRS must be IP "
			    "addresses separated by commas (at most 64)", list);
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int
peer_has(const struct peer_list *pl, int family, const void *addr)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < pl->n; i++)
		if (pl->a[i].family == family &&
		    !memcmp(pl->a[i].addr, addr, len))
			return 1;
	return 0;
}

/* The IP address inside sa (family into *family), or NULL: not an IP
 * address, or len too short for one. */
static const void *
sa_ip(const struct sockaddr *sa, socklen_t len, int *family)
{
	if (len < (socklen_t)sizeof(sa_family_t))
		return NULL;
	*family = sa->sa_family;
	if (sa->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in))
		return &((const struct sockaddr_in *)sa)->sin_addr;
	if (sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6))
		return &((const struct sockaddr_in6 *)sa)->sin6_addr;
	return NULL;
}

int
peer_list_allows(const struct peer_list *pl, const struct sockaddr *sa,
    socklen_t len)
{
	int family;
	const void *a = sa_ip(sa, len, &family);

	if (len >= (socklen_t)sizeof(sa_family_t) && sa->sa_family == AF_UNIX)
		return 1;
	if (pl->any)
		return 1;
	if (!a)
		return 0;
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a))
		return peer_has(pl, AF_INET,
		    ((const struct in6_addr *)a)->s6_addr + 12);
	return peer_has(pl, family, a);
}

void
peer_name(const struct sockaddr *sa, socklen_t len, char *buf, size_t n)
{
	int family;
	const void *a = sa_ip(sa, len, &family);

	if (n == 0)
		return;
	if (len >= (socklen_t)sizeof(sa_family_t) && sa->sa_family == AF_UNIX)
		snprintf(buf, n, "unix");
	else if (!a || !inet_ntop(family, a, buf, (socklen_t)n))
		snprintf(buf, n, "?");
}
