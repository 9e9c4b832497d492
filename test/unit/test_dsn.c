/* dsn: bounce and abuse reports read from raw messages. */
#include "../../app/core/common.h"
#include "../../app/core/dsn.h"
#include "unit.h"

/* Postfix's bounce of an unknown user, as it writes it (LF line ends). */
static const char postfix_hard[] =
    "Return-Path: <>\n"
    "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "To: bounces+3.17.abcdefghijklmnopqrstuv@civitas.localhost\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"8F1A2C0.1700000000/mx.example.org\"\n"
    "\n"
    "This is a MIME-encapsulated message.\n"
    "\n"
    "--8F1A2C0.1700000000/mx.example.org\n"
    "Content-Description: Notification\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered. Status: 2.0.0 (not this one)\n"
    "\n"
    "--8F1A2C0.1700000000/mx.example.org\n"
    "Content-Description: Delivery report\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.org\n"
    "X-Postfix-Queue-ID: 8F1A2C0\n"
    "Arrival-Date: Sat,  5 Dec 2026 12:00:00 +0100 (CET)\n"
    "\n"
    "Final-Recipient: rfc822; Jean.Dupont@example.org\n"
    "Original-Recipient: rfc822;jean.dupont@example.org\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mail.example.org\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <jean.dupont@example.org>:\n"
    "    Recipient address rejected: User unknown\n"
    "\n"
    "--8F1A2C0.1700000000/mx.example.org\n"
    "Content-Description: Undelivered Message Headers\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Message-ID: <uuid.17@civitas.localhost>\n"
    "\n"
    "--8F1A2C0.1700000000/mx.example.org--\n";

static enum dsn_kind
parse(const char *msg, struct dsn *d)
{
	return dsn_parse(msg, strlen(msg), d);
}

static void
dsn_postfix_hard_bounce(void)
{
	struct dsn d;

	EQ_INT(parse(postfix_hard, &d), DSN_HARD);
	EQ_STR(d.status, "5.1.1");
	EQ_STR(d.action, "failed");
	EQ_STR(d.recipient, "Jean.Dupont@example.org");
	EQ_STR(d.diagnostic, "550 5.1.1 <jean.dupont@example.org>: "
	    "Recipient address rejected: User unknown");
	EQ_STR(dsn_kind_name(d.kind), "hard");
}

/* CRLF line ends, an unquoted boundary, a delayed recipient. */
static void
dsn_delayed_is_soft(void)
{
	struct dsn d;
	const char *m =
	    "Content-Type: multipart/report; boundary=b1;"
	    " report-type=delivery-status\r\n\r\n"
	    "--b1\r\nContent-Type: text/plain\r\n\r\nDelayed.\r\n"
	    "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
	    "Reporting-MTA: dns; a.example\r\n\r\n"
	    "Final-Recipient: rfc822; x@example.net\r\n"
	    "Action: delayed\r\nStatus: 4.4.7\r\n\r\n"
	    "--b1--\r\n";

	EQ_INT(parse(m, &d), DSN_SOFT);
	EQ_STR(d.status, "4.4.7");
	EQ_STR(d.action, "delayed");
	EQ_STR(d.recipient, "x@example.net");
	EQ_STR(dsn_kind_name(d.kind), "soft");
}

/* failed with a 4.x.x status (given up after retries) is soft; several
 * recipients: the worst wins; delivered is no bounce. */
static void
dsn_worst_recipient_wins(void)
{
	struct dsn d;
	const char *m =
	    "Content-Type: multipart/report; boundary=\"q\\\"x\"\n\n"
	    "--q\"x\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; a\n\n"
	    "Final-Recipient: rfc822; a@x\nAction: delivered\nStatus: 2.0.0\n\n"
	    "Final-Recipient: rfc822; b@x\nAction: failed\nStatus: 4.2.2\n\n"
	    "Final-Recipient: rfc822; c@x\nAction: FAILED (permanent)\n"
	    "Status: 5.2.1 (mailbox disabled)\n\n"
	    "Final-Recipient: rfc822; d@x\nAction: failed\nStatus: 4.0.0\n"
	    "--q\"x--\n";

	EQ_INT(parse(m, &d), DSN_HARD);
	EQ_STR(d.recipient, "c@x");
	EQ_STR(d.status, "5.2.1");
	EQ_STR(d.action, "failed");
}

static void
dsn_delivered_only_is_none(void)
{
	struct dsn d;
	const char *m =
	    "Content-Type: multipart/report; boundary=z\n\n"
	    "--z\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; a\n\n"
	    "Final-Recipient: rfc822; a@x\nAction: delivered\nStatus: 2.0.0\n"
	    "--z--\n";

	EQ_INT(parse(m, &d), DSN_NONE);
	EQ_STR(d.status, "");
	CHECK(dsn_kind_name(d.kind) == NULL);
}

/* RFC 5965: an abuse report, here inside a forwarding multipart/mixed. */
static void
dsn_arf_complaint(void)
{
	struct dsn d;
	const char *m =
	    "From: fbl@isp.example\n"
	    "Content-Type: multipart/mixed; boundary=outer\n\n"
	    "--outer\nContent-Type: multipart/report;"
	    " report-type=feedback-report; boundary=inner\n\n"
	    "--inner\nContent-Type: text/plain\n\nThis is an abuse report.\n"
	    "--inner\nContent-Type: message/feedback-report\n\n"
	    "Feedback-Type: Abuse\nUser-Agent: SomeGenerator/1.0\n"
	    "Version: 1\nOriginal-Rcpt-To: <someone@isp.example>\n\n"
	    "--inner\nContent-Type: message/rfc822\n\n"
	    "Content-Type: message/delivery-status\n\n"
	    "Action: failed\nStatus: 5.1.1\n"
	    "--inner--\n--outer--\n";

	EQ_INT(parse(m, &d), DSN_COMPLAINT);
	EQ_STR(d.action, "complaint");
	EQ_STR(d.recipient, "<someone@isp.example>");
	EQ_STR(d.diagnostic, "feedback-type: abuse");
	EQ_STR(dsn_kind_name(d.kind), "complaint");
}

/* A report-type=feedback-report whose part cannot be read is still a
 * complaint; a not-spam report is none. */
static void
dsn_arf_edge_cases(void)
{
	struct dsn d;

	EQ_INT(parse("Content-Type: multipart/report; "
	    "report-type=\"Feedback-Report\"; boundary=x\n\n--x\n"
	    "Content-Type: message/feedback-report\n"
	    "Content-Transfer-Encoding: base64\n", &d), DSN_COMPLAINT);
	EQ_INT(parse("Content-Type: multipart/report; "
	    "report-type=feedback-report; boundary=x\n\nno parts at all\n",
	    &d), DSN_COMPLAINT);
	EQ_INT(parse("Content-Type: multipart/report; "
	    "report-type=feedback-report; boundary=x\n\n--x\n"
	    "Content-Type: message/feedback-report\n\n"
	    "Feedback-Type: not-spam\n--x--\n", &d), DSN_NONE);
}

/* What is not a report is none: an auto-reply, a bounce in prose, a
 * delivery-status outside its multipart, junk. */
static void
dsn_not_a_report(void)
{
	struct dsn d;

	EQ_INT(parse("Subject: Absent\n\nJe suis absent.\n", &d), DSN_NONE);
	EQ_INT(parse("Content-Type: text/plain\n\nStatus: 5.1.1\n"
	    "Action: failed\n", &d), DSN_NONE);
	EQ_INT(parse("", &d), DSN_NONE);
	EQ_INT(dsn_parse(NULL, 10, &d), DSN_NONE);
	EQ_INT(parse("Content-Type: multipart/report\n\n--\n--\n", &d),
	    DSN_NONE);
	EQ_INT(parse("Content-Type: multipart/report; boundary=\n\n--\n",
	    &d), DSN_NONE);
	/* A bare delivery-status at the top: it is the report itself. */
	EQ_INT(parse("Content-Type: message/delivery-status\n\n"
	    "Final-Recipient: rfc822; a@x\nAction: failed\nStatus: 5.0.0\n",
	    &d), DSN_HARD);
}

/* Malformed statuses are dropped (and failed still means hard); NULs and
 * 8-bit bytes come out as '?'; long values are cut. */
static void
dsn_hostile_values(void)
{
	static const char m[] =
	    "Content-Type: multipart/report; boundary=b\n\n"
	    "--b\nContent-Type: message/delivery-status\n\n"
	    "Final-Recipient: rfc822; a\0b\xc3\xa9@x\n"
	    "Action: failed\nStatus: 5.1234.1\n"
	    "Diagnostic-Code: smtp; \x1b[31m";
	struct dsn d;
	char big[4096];
	int n;

	EQ_INT(dsn_parse(m, sizeof(m) - 1, &d), DSN_HARD);
	EQ_STR(d.status, "");
	EQ_STR(d.recipient, "a?b??@x");
	EQ_STR(d.diagnostic, "?[31m");
	n = snprintf(big, sizeof(big), "Content-Type: message/delivery-status"
	    "\n\nAction: delayed\nStatus: 4.1.1\nFinal-Recipient: rfc822; ");
	memset(big + n, 'a', sizeof(big) - (size_t)n - 1);
	big[sizeof(big) - 1] = '\0';
	EQ_INT(parse(big, &d), DSN_SOFT);
	EQ_INT(strlen(d.recipient), sizeof(d.recipient) - 1);
	EQ_INT(parse("Content-Type: message/delivery-status\n\nAction: failed"
	    "\nStatus: 4.1.1x\n", &d), DSN_HARD);
	EQ_INT(parse("Content-Type: message/delivery-status\n\n"
	    "Status: 4.1.1\n", &d), DSN_SOFT);
}

/* Nesting deeper than DSN_MAX_DEPTH is not walked. */
static void
dsn_depth_is_bounded(void)
{
	char m[4096];
	size_t o = 0;
	struct dsn d;

	for (int i = 0; i < 6; i++)
		o += (size_t)snprintf(m + o, sizeof(m) - o, "Content-Type: "
		    "multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	snprintf(m + o, sizeof(m) - o, "Content-Type: message/delivery-status"
	    "\n\nAction: failed\nStatus: 5.0.0\n");
	EQ_INT(parse(m, &d), DSN_NONE);
	o = 0;
	for (int i = 0; i < 3; i++)
		o += (size_t)snprintf(m + o, sizeof(m) - o, "Content-Type: "
		    "multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	snprintf(m + o, sizeof(m) - o, "Content-Type: message/delivery-status"
	    "\n\nAction: failed\nStatus: 5.0.0\n");
	EQ_INT(parse(m, &d), DSN_HARD);
}

UNIT_SUITE(dsn,
    UNIT(dsn_postfix_hard_bounce),
    UNIT(dsn_delayed_is_soft),
    UNIT(dsn_worst_recipient_wins),
    UNIT(dsn_delivered_only_is_none),
    UNIT(dsn_arf_complaint),
    UNIT(dsn_arf_edge_cases),
    UNIT(dsn_not_a_report),
    UNIT(dsn_hostile_values),
    UNIT(dsn_depth_is_bounded))
