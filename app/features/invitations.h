/*
 * invitations: a member invites people by e-mail address. Shared by the
 * invitations to an event (/events/{slug}/invite) and, later, to join
 * the movement (issue 10's /invite): the caller gives the addresses, the
 * kind (what to record for each mail sent) and the mail; this module
 * keeps the rules:
 *
 * - an address is mailed at most once in 24 hours, whoever invites it
 *   (STMT_INVITE_ADDRESS: one INSERT ... ON CONFLICT DO UPDATE ... WHERE
 *   on invitation_addresses), and only a keyed hash of it is stored
 *   (HMAC-SHA256 under APP_SECRET, domain "invite");
 * - an inviter submits at most INVITE_PER_DAY addresses a day (Paris
 *   days), skipped ones included (so the cap also bounds probing which
 *   addresses were invited lately): a daily quota taken in the same
 *   transaction as the mails (send_quotas, scope "invite"). The inviter
 *   is the member (subject_id: the user id) or, for a visitor without an
 *   account (/invite), the client address (subject_id: a negative number
 *   made of a keyed hash of it, invitation_visitor(), so it never meets a
 *   user id);
 * - the answer says how many were mailed and how many skipped, never
 *   which.
 */
#ifndef CIVITAS_INVITATIONS_H
#define CIVITAS_INVITATIONS_H

#include "features.h"

#define INVITE_MAX_ADDRESSES 10	/* in one form */
#define INVITE_PER_DAY 50	/* per inviter */

struct invitation {
	const char *const *addresses;	/* valid, lowercase, distinct */
	size_t n;
	const char *subject;		/* of the mail */
	const char *tpl;		/* mail/<tpl>.txt */
	struct view *mail;		/* its values (text mode), the same
					 * for every address */
	/* Record one mail sent (e.g. an event_invitations row), inside the
	 * transaction; hash: the address's. 0, or -1 to abort. NULL: none. */
	int (*record)(struct req *r, const char *hash, const void *arg);
	const void *arg;
	/* The daily quota's subject: 0 for the member r->user, else the
	 * value of invitation_visitor(). */
	long quota_subject;
	/* Values of the mail that depend on the address (an opt-out link),
	 * pushed into inv->mail before each mail. 0, or -1 to abort. NULL:
	 * none. */
	int (*per_address)(struct req *r, struct view *mail,
	    const char *address, const void *arg);
	/* Last, inside the transaction, with the counts (e.g. an
	 * invite_sends row). 0, or -1 to abort. NULL: none. */
	int (*finish)(struct req *r, int sent, int skipped, const void *arg);
};

enum invite_result {
	INVITE_OK = 0,
	INVITE_UNAVAILABLE = -1,	/* nothing was sent */
	INVITE_OVER_QUOTA = -2,		/* nothing was sent */
};

/* Send inv, counting into *sent and *skipped. */
enum invite_result invitations_send(struct req *r,
    const struct invitation *inv, int *sent, int *skipped);

/* The addresses typed in text (separated by spaces, commas, semicolons
 * or new lines), validated, lowercased, without repeats, into *out (in
 * the arena). 0; -1 with *bad the first invalid one; -2 when more than
 * INVITE_MAX_ADDRESSES; -3 when none. */
int invitations_parse(struct req *r, const char *text, const char ***out,
    size_t *n, const char **bad);

/* The daily quota's subject of a visitor without an account: a negative
 * number from a keyed hash of the client address (r->remote_addr). */
long invitation_visitor(struct req *r);

/* The keyed hash of an address, hex (in the arena). */
const char *invitation_hash(struct req *r, const char *address);

#endif
