#include "../core/common.h"
#include "smtp.h"

#include <ctype.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The largest message accepted for sending (the outbox's own limit). */
#define SMTP_OUT_MAX (64 * 1024 * 1024)

int
smtp_init(struct smtp *s, const char *url, int timeout_ms)
{
	const char *h, *colon;
	size_t hl;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->timeout_ms = timeout_ms;
	buf_init(&s->out, SMTP_OUT_MAX);
	if (strncmp(url, "smtp://", 7) != 0)
		return -1;
	h = url + 7;
	hl = strcspn(h, "/");
	colon = memchr(h, ':', hl);
	if (colon) {
		snprintf(s->port, sizeof(s->port), "%.*s",
		    (int)(hl - (size_t)(colon - h) - 1), colon + 1);
		hl = (size_t)(colon - h);
	} else
		snprintf(s->port, sizeof(s->port), "25");
	if (hl == 0 || hl >= sizeof(s->host) || !*s->port)
		return -1;
	memcpy(s->host, h, hl);
	s->host[hl] = '\0';
	return 0;
}

static void
smtp_close(struct smtp *s, const char *why)
{
	if (why && !*s->error)
		snprintf(s->error, sizeof(s->error), "%s", why);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->in_len = 0;
	s->need_rset = 0;
	buf_reset(&s->out);
}

void
smtp_release(struct smtp *s)
{
	if (s->fd >= 0) {
		/* Polite, and never waits: a QUIT the server may not read. */
		if (send(s->fd, "QUIT\r\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			s->error[0] = '\0';
	}
	smtp_close(s, NULL);
	buf_release(&s->out);
}

/* Wait for events on the socket for at most timeout_ms: 1 ready, else
 * 0 (timed out or failed). */
static int
smtp_wait(struct smtp *s, short events)
{
	struct pollfd p = { .fd = s->fd, .events = events };
	int rc;

	do
		rc = poll(&p, 1, s->timeout_ms);
	while (rc < 0 && errno == EINTR);
	return rc > 0;
}

/* Write all of s->out. 0, or -1 (connection closed). */
static int
smtp_flush(struct smtp *s)
{
	size_t off = 0;
	ssize_t w;

	while (off < s->out.len) {
		w = send(s->fd, s->out.data + off, s->out.len - off,
		    MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    smtp_wait(s, POLLOUT))
			continue;
		smtp_close(s, w < 0 && errno != EAGAIN ? strerror(errno) :
		    "write timed out");
		return -1;
	}
	buf_reset(&s->out);
	return 0;
}

/* The reply code at the start of line. */
static int
atoi_3(const char *line)
{
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* One line (without CRLF) into line; 0, or -1 (connection closed). */
static int
smtp_line(struct smtp *s, char *line, size_t size)
{
	char *eol;
	ssize_t r;
	size_t n;

	while (!(eol = memchr(s->in, '\n', s->in_len))) {
		if (s->in_len == sizeof(s->in)) {
			smtp_close(s, "reply line too long");
			return -1;
		}
		r = recv(s->fd, s->in + s->in_len, sizeof(s->in) - s->in_len,
		    0);
		if (r > 0) {
			s->in_len += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    smtp_wait(s, POLLIN))
			continue;
		smtp_close(s, r == 0 ? "connection closed by the server" :
		    r < 0 && errno != EAGAIN ? strerror(errno) :
		    "no reply in time");
		return -1;
	}
	n = (size_t)(eol - s->in);
	snprintf(line, size, "%.*s", (int)(n && eol[-1] == '\r' ? n - 1 : n),
	    s->in);
	memmove(s->in, eol + 1, s->in_len - n - 1);
	s->in_len -= n + 1;
	return 0;
}

/*
 * Flush what is to be written, then read one reply (all its lines): its
 * code, with its text ("451 4.3.0 ...", lines joined by '\n') in text.
 * -1 when the connection failed or the reply is malformed (then closed).
 */
static int
smtp_reply(struct smtp *s, char *text, size_t size)
{
	char line[1024];
	size_t used = 0;
	int code = -1;

	if (s->out.len && smtp_flush(s) < 0)
		return -1;
	if (size)
		text[0] = '\0';
	for (;;) {
		int c;

		if (smtp_line(s, line, sizeof(line)) < 0)
			return -1;
		if (strlen(line) < 3 || !isdigit((unsigned char)line[0]) ||
		    !isdigit((unsigned char)line[1]) ||
		    !isdigit((unsigned char)line[2]) ||
		    (line[3] && line[3] != ' ' && line[3] != '-') ||
		    ((c = atoi_3(line)) != code && code != -1)) {
			smtp_close(s, "malformed reply");
			return -1;
		}
		code = c;
		if (used + 1 < size)
			used += (size_t)snprintf(text + used, size - used, "%s%s",
			    used ? "\n" : "", !used ? line : line[3] ? line + 4 :
			    "");
		if (used >= size)
			used = size - 1;
		if (line[3] != '-')
			return code;
	}
}

/* Queue a command: verb, then arg when not NULL, then CRLF. Commands
 * are small (SMTP_OUT_MAX): failing to queue one is a bug. */
static void
smtp_cmd(struct smtp *s, const char *verb, const char *arg)
{
	if (buf_puts(&s->out, verb) < 0 || (arg && buf_puts(&s->out,
	    arg) < 0) || buf_puts(&s->out, "\r\n") < 0)
		abort();
}

/* A connected nonblocking TCP socket to host:port, or -1 (s->error). */
static int
smtp_dial(struct smtp *s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, rc, err;
	socklen_t len = sizeof(err);

	if ((rc = getaddrinfo(s->host, s->port, &hints, &res)) != 0) {
		snprintf(s->error, sizeof(s->error), "%.100s: %s", s->host,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		const char *why;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		s->fd = fd;
		err = 0;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS)
			why = strerror(errno);
		else if (!smtp_wait(s, POLLOUT))
			why = "timed out";
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			why = strerror(errno);
		else if (err)
			why = strerror(err);
		else
			break;
		snprintf(s->error, sizeof(s->error), "connect to %.100s:%s: %s",
		    s->host, s->port, why);
		close(fd);
		s->fd = fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Our name for EHLO: the host name when it is a plain one. */
static void
smtp_helo_name(char *name, size_t size)
{
	if (gethostname(name, size) < 0 || !*name)
		snprintf(name, size, "localhost");
	name[size - 1] = '\0';
	for (char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
			snprintf(name, size, "localhost");
			return;
		}
}

/* Does the EHLO reply (lines joined by '\n') offer the extension? */
static int
smtp_offers(const char *reply, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *p = strchr(reply, '\n'); p; p = strchr(p + 1, '\n'))
		if (!strncasecmp(p + 1, ext, n) && (p[1 + n] == '\0' ||
		    p[1 + n] == '\n' || p[1 + n] == ' '))
			return 1;
	return 0;
}

/* Open the session: greeting, EHLO (HELO when refused). 0 or -1. */
static int
smtp_open(struct smtp *s)
{
	char reply[2048], name[256];
	int code;

	s->error[0] = '\0';
	s->in_len = 0;
	s->need_rset = 0;
	s->pipelining = 0;
	buf_reset(&s->out);
	if (smtp_dial(s) < 0)
		return -1;
	if ((code = smtp_reply(s, reply, sizeof(reply))) != 220)
		goto refused;
	smtp_helo_name(name, sizeof(name));
	smtp_cmd(s, "EHLO ", name);
	code = smtp_reply(s, reply, sizeof(reply));
	if (code >= 500 && code < 600) {
		smtp_cmd(s, "HELO ", name);
		code = smtp_reply(s, reply, sizeof(reply));
	} else if (code == 250)
		s->pipelining = smtp_offers(reply, "PIPELINING");
	if (code == 250)
		return 0;
refused:
	if (code > 0) {
		snprintf(s->error, sizeof(s->error), "session refused: %.200s",
		    reply);
		smtp_close(s, NULL);
	}
	return -1;
}

/* Is the idle connection still usable? The server may have closed it
 * (timeout, restart) or said 421 meanwhile: anything readable now is. */
static int
smtp_alive(struct smtp *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	if (s->fd < 0)
		return 0;
	if (poll(&p, 1, 0) == 0)
		return 1;
	smtp_close(s, NULL);
	return 0;
}

/* The message, dot-stuffed, with CRLF line ends, then the end of data. */
static void
smtp_data(struct smtp *s, const struct smtp_msg *m)
{
	const char *p = m->data, *end = m->data + m->len;
	int bol = 1;

	for (; p < end; p++) {
		if (bol && *p == '.' && buf_putc(&s->out, '.') < 0)
			abort();
		if (*p == '\n' && (p == m->data || p[-1] != '\r') &&
		    buf_putc(&s->out, '\r') < 0)
			abort();
		if (buf_putc(&s->out, *p) < 0)
			abort();
		bol = *p == '\n';
	}
	if (!bol && buf_puts(&s->out, "\r\n") < 0)
		abort();
	if (buf_puts(&s->out, ".\r\n") < 0)
		abort();
}

static void
smtp_outcome(struct smtp_msg *m, int code, const char *text)
{
	m->code = code;
	snprintf(m->reply, sizeof(m->reply), "%s", text);
	/* Printable ASCII only: it is stored, logged and shown. */
	for (char *p = m->reply; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = *p == '\n' ? ' ' : '?';
}

static int
ok2(int code)
{
	return code >= 200 && code < 300;
}

/* MAIL FROM or RCPT TO with an address, which may not carry a CR, LF or
 * '>' (it could not be parsed; nor open a second command). */
static void
smtp_addr(struct smtp *s, const char *verb, const char *addr)
{
	if (buf_puts(&s->out, verb) < 0)
		abort();
	for (const char *p = addr; *p; p++)
		if (*p != '\r' && *p != '\n' && *p != '>' &&
		    buf_putc(&s->out, *p) < 0)
			abort();
	if (buf_puts(&s->out, ">\r\n") < 0)
		abort();
}

/* The envelope commands of m (after an RSET when one is due). */
static void
smtp_envelope(struct smtp *s, const struct smtp_msg *m)
{
	if (s->need_rset)
		smtp_cmd(s, "RSET", NULL);
	smtp_addr(s, "MAIL FROM:<", m->from);
	smtp_addr(s, "RCPT TO:<", m->to);
	smtp_cmd(s, "DATA", NULL);
}

/* The replies' outcome for m: the first refusal, else DATA's reply. */
static void
smtp_refused(struct smtp_msg *m, int c1, const char *r1, int c2,
    const char *r2, int c3, const char *r3)
{
	if (!ok2(c1))
		smtp_outcome(m, c1, r1);
	else if (!ok2(c2))
		smtp_outcome(m, c2, r2);
	else
		smtp_outcome(m, c3, r3);
}

/*
 * RFC 2920: the envelope and DATA in one write, after the previous
 * message's data and end-of-data dot (not read yet: message dot). Then
 * the replies in order: the previous end of data, RSET if sent, MAIL,
 * RCPT, DATA. A body is written only after its 354.
 */
static size_t
smtp_pipelined(struct smtp *s, struct smtp_msg *m, size_t n, double deadline)
{
	char r0[SMTP_REPLY_MAX], r1[SMTP_REPLY_MAX], r2[SMTP_REPLY_MAX],
	    r3[SMTP_REPLY_MAX];
	size_t i, done = 0;
	long dot = -1;
	int c0, c1, c2, c3, rset;

	for (i = 0; i < n; i++) {
		if (deadline > 0 && mono_now() > deadline)
			break;
		rset = s->need_rset;
		smtp_envelope(s, &m[i]);
		if (dot >= 0) {
			if ((c0 = smtp_reply(s, r0, sizeof(r0))) < 0) {
				smtp_outcome(&m[dot], 0, s->error);
				return done + 1;
			}
			smtp_outcome(&m[dot], c0, r0);
			done++;
			dot = -1;
		}
		if (rset && !ok2(smtp_reply(s, r0, sizeof(r0))))
			goto lost;
		s->need_rset = 1;
		if ((c1 = smtp_reply(s, r1, sizeof(r1))) < 0 ||
		    (c2 = smtp_reply(s, r2, sizeof(r2))) < 0 ||
		    (c3 = smtp_reply(s, r3, sizeof(r3))) < 0)
			goto lost;
		if (c3 == 354 && ok2(c1) && ok2(c2)) {
			smtp_data(s, &m[i]);
			dot = (long)i;
			s->need_rset = 0;	/* the end of data ends it */
			continue;
		}
		if (c3 == 354) {	/* DATA accepted without a recipient */
			if (buf_puts(&s->out, ".\r\n") < 0 ||
			    smtp_reply(s, r0, sizeof(r0)) < 0)
				goto lost;
		}
		smtp_refused(&m[i], c1, r1, c2, r2, c3, r3);
		done++;
		if (c1 == 421 || c2 == 421 || c3 == 421) {
			smtp_close(s, m[i].reply);
			return done;
		}
	}
	if (dot >= 0) {
		if ((c0 = smtp_reply(s, r0, sizeof(r0))) < 0)
			smtp_outcome(&m[dot], 0, s->error);
		else
			smtp_outcome(&m[dot], c0, r0);
		done++;
	}
	return done;
lost:
	smtp_close(s, "unexpected reply");	/* kept if closed already */
	smtp_outcome(&m[i], 0, s->error);
	return done + 1;
}

/* Without PIPELINING: each command waits for its reply. */
static size_t
smtp_lockstep(struct smtp *s, struct smtp_msg *m, size_t n, double deadline)
{
	char r[SMTP_REPLY_MAX];
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		if (deadline > 0 && mono_now() > deadline)
			break;
		if (s->need_rset) {
			smtp_cmd(s, "RSET", NULL);
			if (!ok2(smtp_reply(s, r, sizeof(r))))
				goto lost;
			s->need_rset = 0;
		}
		smtp_addr(s, "MAIL FROM:<", m[i].from);
		if ((c = smtp_reply(s, r, sizeof(r))) < 0)
			goto lost;
		s->need_rset = 1;
		if (ok2(c)) {
			smtp_addr(s, "RCPT TO:<", m[i].to);
			if ((c = smtp_reply(s, r, sizeof(r))) < 0)
				goto lost;
		}
		if (ok2(c)) {
			smtp_cmd(s, "DATA", NULL);
			if ((c = smtp_reply(s, r, sizeof(r))) < 0)
				goto lost;
		}
		if (c == 354) {
			smtp_data(s, &m[i]);
			if ((c = smtp_reply(s, r, sizeof(r))) < 0)
				goto lost;
			s->need_rset = 0;
		}
		smtp_outcome(&m[i], c, r);
		if (c == 421) {
			smtp_close(s, r);
			return i + 1;
		}
	}
	return i;
lost:
	smtp_close(s, "unexpected reply");	/* kept if closed already */
	smtp_outcome(&m[i], 0, s->error);
	return i + 1;
}

size_t
smtp_send(struct smtp *s, struct smtp_msg *m, size_t n, double deadline)
{
	for (size_t i = 0; i < n; i++) {
		m[i].code = -1;
		m[i].reply[0] = '\0';
	}
	if (!smtp_alive(s) && smtp_open(s) < 0)
		return 0;
	s->error[0] = '\0';
	return s->pipelining ? smtp_pipelined(s, m, n, deadline) :
	    smtp_lockstep(s, m, n, deadline);
}
