/*
 * dsn: what a bounce report says, read from the raw bytes of a message
 * that reached a VERP address (bounces+TOKEN@...).
 *
 *   - RFC 3464 delivery status notification: multipart/report;
 *     report-type=delivery-status with a message/delivery-status part
 *     (message/global-delivery-status too, RFC 6533). Per recipient,
 *     Action and Status: "failed" with a 5.x.x status is a hard bounce;
 *     a 4.x.x status or "delayed" is a soft one; "delivered", "relayed"
 *     and "expanded" are no bounce.
 *   - RFC 5965 abuse report (ARF): multipart/report;
 *     report-type=feedback-report, or a message/feedback-report part: a
 *     complaint.
 * Anything else (an auto-reply, a bounce in prose only) is DSN_NONE: the
 * caller drops it rather than guess.
 *
 * Invariants: pure (no I/O, no allocation); reads exactly len bytes of
 * msg, which may hold anything (NULs, no line ends, 8-bit); work is
 * bounded (MIME depth DSN_MAX_DEPTH, DSN_MAX_PARTS parts per level,
 * DSN_MAX_GROUPS recipient groups; each scan linear in len). Every string
 * of struct dsn is NUL-terminated printable ASCII (anything else is
 * replaced by '?'), truncated to its array.
 */
#ifndef CIVITAS_DSN_H
#define CIVITAS_DSN_H

#include <stddef.h>

#define DSN_MAX_DEPTH 4
#define DSN_MAX_PARTS 32
#define DSN_MAX_GROUPS 64

enum dsn_kind {
	DSN_NONE,		/* not a bounce report, or nothing failed */
	DSN_SOFT,		/* delayed, or a 4.x.x failure */
	DSN_HARD,		/* failed with a 5.x.x status */
	DSN_COMPLAINT,		/* an abuse report (ARF) */
	DSN_KIND__MAX
};

struct dsn {
	enum dsn_kind kind;
	char status[16];	/* "5.1.1"; "" when none or malformed */
	char action[16];	/* "failed", "delayed"...; lower case */
	char recipient[256];	/* Final-Recipient (DSN) or Original-Rcpt-To
				 * (ARF), the address only */
	char diagnostic[256];	/* Diagnostic-Code, or ARF's Feedback-Type */
};

/* The kind's name as record_bounce() takes it: "hard", "soft",
 * "complaint"; NULL for DSN_NONE. */
const char *dsn_kind_name(enum dsn_kind k);

/* Read the report in msg[0..len) into *out (always fully set). Returns
 * out->kind. */
enum dsn_kind dsn_parse(const char *msg, size_t len, struct dsn *out);

#endif
