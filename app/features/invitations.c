/*
 * invitations: see invitations.h.
 */
#include "../core/common.h"
#include "../core/valid.h"
#include "../infra/outbox.h"
#include "invitations.h"

const char *
invitation_hash(struct req *r, const char *address)
{
	unsigned char mac[32];
	char *hex = arena_alloc(&r->arena, 2 * sizeof(mac) + 1);

	hmac_raw(r->cfg->secret, "invite", address, mac);
	sodium_bin2hex(hex, 2 * sizeof(mac) + 1, mac, sizeof(mac));
	return hex;
}

long
invitation_visitor(struct req *r)
{
	unsigned char mac[32];
	uint64_t v = 0;

	hmac_raw(r->cfg->secret, "invite-visitor", r->remote_addr ?
	    r->remote_addr : "-", mac);
	for (int i = 0; i < 7; i++)
		v = v << 8 | mac[i];
	return -(long)v - 1;	/* -1 .. -2^56 */
}

int
invitations_parse(struct req *r, const char *text, const char ***out,
    size_t *n, const char **bad)
{
	static const char seps[] = " \t\r\n,;";
	const char **list = arena_zalloc(&r->arena,
	    (INVITE_MAX_ADDRESSES + 1) * sizeof(*list));

	*n = 0;
	*bad = NULL;
	for (const char *p = text + strspn(text, seps); *p;
	    p += strspn(p, seps)) {
		size_t len = strcspn(p, seps), i;
		char *word = arena_strndup(&r->arena, p, len);
		char *norm = arena_alloc(&r->arena, VALID_OUT_SIZE(len));

		p += len;
		if (valid_email(word, norm, VALID_OUT_SIZE(len)) != VALID_OK) {
			*bad = word;
			return -1;
		}
		for (i = 0; i < *n && strcmp(list[i], norm); i++)
			;
		if (i < *n)
			continue;
		if (*n == INVITE_MAX_ADDRESSES)
			return -2;
		list[(*n)++] = norm;
	}
	*out = list;
	return *n ? 0 : -3;
}

static int
by_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The addresses are locked (invitation_addresses rows) in one order, so
 * that two inviters of the same addresses never deadlock. */
enum invite_result
invitations_send(struct req *r, const struct invitation *inv, int *sent,
    int *skipped)
{
	struct db *db = &r->app->db;
	const char **sorted = arena_alloc(&r->arena, (inv->n + 1) *
	    sizeof(*sorted));
	/* Nobody asked for it: never to a suppressed address. */
	static const struct mail_extra x = { .category = "invitation" };
	const char *subject = inv->quota_subject ? arena_printf(&r->arena,
	    "%ld", inv->quota_subject) : r->user->id_str;
	PGresult *res;

	*sent = *skipped = 0;
	memcpy(sorted, inv->addresses, inv->n * sizeof(*sorted));
	qsort(sorted, inv->n, sizeof(*sorted), by_text);
	if (db_begin(db) < 0 || !(res = q(r, STMT_SEND_QUOTA_TAKE, "invite",
	    subject, arena_printf(&r->arena, "%zu", inv->n),
	    arena_printf(&r->arena, "%d", INVITE_PER_DAY))))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(db);
		return INVITE_OVER_QUOTA;
	}
	for (size_t i = 0; i < inv->n; i++) {
		const char *hash = invitation_hash(r, sorted[i]);

		if (!(res = q(r, STMT_INVITE_ADDRESS, hash)))
			goto fail;
		if (PQntuples(res) == 0) {
			(*skipped)++;
			continue;
		}
		if ((inv->record && inv->record(r, hash, inv->arg) < 0) ||
		    (inv->per_address && inv->per_address(r, inv->mail,
		    sorted[i], inv->arg) < 0) ||
		    outbox_add_ex(r, 0, sorted[i], inv->subject, inv->tpl,
		    inv->mail, &x) < 0)
			goto fail;
		(*sent)++;
	}
	if (inv->finish && inv->finish(r, *sent, *skipped, inv->arg) < 0)
		goto fail;
	if (db_commit(db) == 0)
		return INVITE_OK;
fail:
	db_rollback(db);
	*sent = *skipped = 0;
	return INVITE_UNAVAILABLE;
}
