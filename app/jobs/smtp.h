/*
 * smtp: a small SMTP client for the mail worker, one connection per
 * struct smtp (the worker's threads each own one; nothing is shared).
 *
 * Plain SMTP only (smtp://host:port): in production the mailer hands its
 * mail to the local MTA (Postfix on 127.0.0.1:25), which does TLS, DKIM,
 * queueing and the delivery to the world; in development, to the sink.
 *
 * The connection is opened on first use, kept across messages and
 * batches, and reopened after any error (a timeout, a closed socket, a
 * reply that makes no sense: the state of the session is then unknown).
 * When the server offers PIPELINING (RFC 2920), MAIL, RCPT and DATA go
 * in one write, and the next message's commands follow the previous
 * message's end-of-data dot in the same write: one round trip per
 * message. Without it, every command waits for its reply (lockstep).
 * After a refused transaction, RSET opens the next one. Every read and
 * write waits at most timeout_ms (poll()).
 *
 * Messages are given with CRLF or LF line ends; the client sends CRLF
 * and dot-stuffs lines that begin with '.'.
 */
#ifndef CIVITAS_SMTP_H
#define CIVITAS_SMTP_H

#include <stddef.h>
#include "../core/buf.h"

#define SMTP_REPLY_MAX 256

struct smtp {
	char host[256];
	char port[16];
	int fd;			/* -1: not connected */
	int pipelining;		/* the server offered PIPELINING */
	int timeout_ms;
	int need_rset;		/* a transaction was left open */
	char in[8192];		/* bytes read, not yet parsed */
	size_t in_len;
	struct buf out;		/* bytes to write */
	char error[SMTP_REPLY_MAX];	/* why the connection was dropped */
};

/* One message with one recipient. code is the outcome: the reply code to
 * the first command refused (MAIL, RCPT, DATA) or to the end of data,
 * with its text in reply; 0 when the connection failed during its
 * exchange (the message may or may not have been accepted); -1 when it
 * was not attempted (the connection failed before). */
struct smtp_msg {
	const char *from;	/* envelope sender, an address without <> */
	const char *to;		/* envelope recipient */
	const char *data;
	size_t len;
	int code;
	char reply[SMTP_REPLY_MAX];
};

/* 0, or -1 when url is not smtp://host[:port]. */
int smtp_init(struct smtp *s, const char *url, int timeout_ms);
void smtp_release(struct smtp *s);
/* Send the n messages in turn over the connection (opened if needed)
 * and set each one's code and reply. Gives up at the first connection
 * error (s->error says why; the remaining messages keep code -1) or
 * when deadline (CLOCK_MONOTONIC seconds, 0: none) has passed. The
 * number of messages with an outcome (code != -1). */
size_t smtp_send(struct smtp *s, struct smtp_msg *m, size_t n,
    double deadline);

#endif
