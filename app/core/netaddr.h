/*
 * netaddr (issue 13, many hosts): the FastCGI listening address (LISTEN)
 * and the web servers allowed to connect to it (FCGI_WEB_SERVER_ADDRS).
 *
 * Pure: parsing and matching only. The master opens the socket
 * (master.c), each worker checks the peer of every connection it accepts
 * (server.c). FastCGI has no authentication: on TCP, the firewall and this
 * list are the only things between the workers and the network.
 *
 * LISTEN forms:
 *   unix:/path or /path       a unix socket (never checked against the list)
 *   host:port                 TCP: an IPv4 address or a host name
 *   [v6-address]:port         TCP over IPv6
 *   :port, *:port, 0.0.0.0:port   TCP on every IPv4 address
 * FCGI_WEB_SERVER_ADDRS (libfcgi's variable and meaning): addresses
 * separated by commas (IPv4 or IPv6 literals, spaces allowed around
 * them); unset or empty: every peer is allowed. An IPv4-mapped IPv6 peer
 * (::ffff:a.b.c.d) is taken as the IPv4 address.
 */
#ifndef CIVITAS_NETADDR_H
#define CIVITAS_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

enum listen_kind { LISTEN_UNIX, LISTEN_TCP };

struct listen_addr {
	enum listen_kind kind;
	char path[108];		/* unix: sun_path */
	char host[256];		/* tcp: "" = any IPv4 address */
	unsigned port;		/* tcp: 1..65535 */
};

/* 0, or -1 with a message in err. */
int listen_parse(const char *spec, struct listen_addr *out, char *err,
    size_t errsz);

#define PEER_LIST_MAX 64

struct peer_list {
	int any;		/* unset or empty: everyone */
	size_t n;
	struct {
		int family;	/* AF_INET or AF_INET6 */
		unsigned char addr[16];
	} a[PEER_LIST_MAX];
};

/* 0, or -1 with a message in err (an unparsable list never means "any"). */
int peer_list_parse(const char *list, struct peer_list *pl, char *err,
    size_t errsz);
/* 1 when a connection from sa may be served: unix sockets always. */
int peer_list_allows(const struct peer_list *pl, const struct sockaddr *sa,
    socklen_t len);
/* The peer's address as text, for the log ("unix" for a unix socket). */
void peer_name(const struct sockaddr *sa, socklen_t len, char *buf,
    size_t n);

#endif
