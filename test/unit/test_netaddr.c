/* netaddr (issue 13): LISTEN's forms and FCGI_WEB_SERVER_ADDRS. */
#include "../../app/core/common.h"
#include "../../app/core/netaddr.h"
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

static int
parses(const char *spec, struct listen_addr *la)
{
	char err[256];

	return listen_parse(spec, la, err, sizeof(err));
}

static void
listen_unix_forms(void)
{
	struct listen_addr la;

	if (EQ_INT(parses("unix:/run/civitas/fcgi.sock", &la), 0)) {
		EQ_INT(la.kind, LISTEN_UNIX);
		EQ_STR(la.path, "/run/civitas/fcgi.sock");
	}
	if (EQ_INT(parses("/tmp/a:b.sock", &la), 0)) {	/* a colon in a path */
		EQ_INT(la.kind, LISTEN_UNIX);
		EQ_STR(la.path, "/tmp/a:b.sock");
	}
	EQ_INT(parses("unix:", &la), -1);
	{
		char longp[200] = "unix:/";

		memset(longp + 6, 'x', 120);
		longp[126] = '\0';
		EQ_INT(parses(longp, &la), -1);
	}
}

static void
listen_tcp_forms(void)
{
	struct listen_addr la;

	if (EQ_INT(parses("0.0.0.0:9000", &la), 0)) {
		EQ_INT(la.kind, LISTEN_TCP);
		EQ_STR(la.host, "0.0.0.0");
		EQ_INT(la.port, 9000);
	}
	if (EQ_INT(parses("198.18.0.11:9000", &la), 0))
		EQ_STR(la.host, "198.18.0.11");
	if (EQ_INT(parses("worker-1.internal:65535", &la), 0)) {
		EQ_STR(la.host, "worker-1.internal");
		EQ_INT(la.port, 65535);
	}
	if (EQ_INT(parses(":9000", &la), 0))
		EQ_STR(la.host, "");
	if (EQ_INT(parses("*:9000", &la), 0))
		EQ_STR(la.host, "");
	if (EQ_INT(parses("[::1]:9000", &la), 0)) {
		EQ_INT(la.kind, LISTEN_TCP);
		EQ_STR(la.host, "::1");
		EQ_INT(la.port, 9000);
	}
}

static void
listen_refusals(void)
{
	struct listen_addr la;

	EQ_INT(parses("fcgi.sock", &la), -1);		/* no port, no path */
	EQ_INT(parses("host:0", &la), -1);
	EQ_INT(parses("host:70000", &la), -1);	/* libfcgi wrapped it */
	EQ_INT(parses("host:90x", &la), -1);
	EQ_INT(parses("host:", &la), -1);
	EQ_INT(parses("::1:9000", &la), -1);	/* IPv6 needs brackets */
	EQ_INT(parses("[::1]9000", &la), -1);
	EQ_INT(parses("[nope]:9000", &la), -1);
}

static struct sockaddr_in
v4(const char *a)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static struct sockaddr_in6
v6(const char *a)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &s.sin6_addr);
	return s;
}

static int
allows(const struct peer_list *pl, const char *addr)
{
	if (strchr(addr, ':')) {
		struct sockaddr_in6 s = v6(addr);

		return peer_list_allows(pl, (struct sockaddr *)&s, sizeof(s));
	} else {
		struct sockaddr_in s = v4(addr);

		return peer_list_allows(pl, (struct sockaddr *)&s, sizeof(s));
	}
}

static void
peers_listed_only(void)
{
	struct peer_list pl;
	char err[256];

	if (!EQ_INT(peer_list_parse("198.18.0.10, 10.0.0.5 ,2001:db8::1", &pl,
	    err, sizeof(err)), 0))
		return;
	EQ_INT(pl.n, 3);
	CHECK(allows(&pl, "198.18.0.10"));
	CHECK(allows(&pl, "10.0.0.5"));
	CHECK(allows(&pl, "2001:db8::1"));
	CHECK(allows(&pl, "::ffff:198.18.0.10"));	/* IPv4-mapped */
	CHECK(!allows(&pl, "198.18.0.11"));
	CHECK(!allows(&pl, "127.0.0.1"));
	CHECK(!allows(&pl, "2001:db8::2"));
	CHECK(!allows(&pl, "::ffff:198.18.0.11"));
}

static void
peers_unix_always_and_unset_is_any(void)
{
	struct peer_list pl;
	struct sockaddr_un un;
	char err[256];

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	EQ_INT(peer_list_parse("192.0.2.1", &pl, err, sizeof(err)), 0);
	CHECK(peer_list_allows(&pl, (struct sockaddr *)&un,
	    sizeof(sa_family_t)));
	EQ_INT(peer_list_parse(NULL, &pl, err, sizeof(err)), 0);
	CHECK(allows(&pl, "203.0.113.9"));
	EQ_INT(peer_list_parse("", &pl, err, sizeof(err)), 0);
	CHECK(allows(&pl, "2001:db8::7"));
}

static void
peers_garbage_is_refused(void)
{
	struct peer_list pl;
	char err[256];

	/* an unparsable list must stop start-up, never mean "anyone" */
	EQ_INT(peer_list_parse(",", &pl, err, sizeof(err)), -1);
	EQ_INT(peer_list_parse("10.0.0.1,", &pl, err, sizeof(err)), -1);
	EQ_INT(peer_list_parse("10.0.0", &pl, err, sizeof(err)), -1);
	EQ_INT(peer_list_parse("nginx.internal", &pl, err, sizeof(err)), -1);
	EQ_INT(peer_list_parse("10.0.0.0/8", &pl, err, sizeof(err)), -1);
	CHECK(strstr(err, "FCGI_WEB_SERVER_ADDRS") != NULL);
	{
		char many[65 * 12] = "";

		for (int i = 0; i < 65; i++)
			snprintf(many + strlen(many), sizeof(many) - strlen(many),
			    "%s10.0.0.%d", i ? "," : "", i + 1);
		EQ_INT(peer_list_parse(many, &pl, err, sizeof(err)), -1);
	}
}

static void
peer_names(void)
{
	struct sockaddr_in s = v4("198.18.0.10");
	struct sockaddr_in6 s6 = v6("2001:db8::1");
	char buf[64];

	peer_name((struct sockaddr *)&s, sizeof(s), buf, sizeof(buf));
	EQ_STR(buf, "198.18.0.10");
	peer_name((struct sockaddr *)&s6, sizeof(s6), buf, sizeof(buf));
	EQ_STR(buf, "2001:db8::1");
}

UNIT_SUITE(netaddr,
    UNIT(listen_unix_forms),
    UNIT(listen_tcp_forms),
    UNIT(listen_refusals),
    UNIT(peers_listed_only),
    UNIT(peers_unix_always_and_unset_is_any),
    UNIT(peers_garbage_is_refused),
    UNIT(peer_names))
