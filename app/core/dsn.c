/*
 * dsn: bounce reports (RFC 3464) and abuse reports (RFC 5965) read from
 * a raw message. See dsn.h for what counts as what, and the bounds.
 *
 * Every scan goes through struct span (a pointer and a length), never a
 * C string of the input: the message may hold NULs anywhere. Field values
 * are copied out through field_get(), which unfolds them and replaces
 * anything but printable ASCII, so what leaves this file is clean.
 */
#include "common.h"
#include "dsn.h"

struct span {
	const char *p;
	size_t n;
};

/* The whole walk: the best verdict so far and the budget of entities. */
struct walk {
	struct dsn *out;
	int entities;		/* MIME entities visited, at most MAX_ENTITIES */
	int arf;		/* a multipart/report;report-type=feedback-report */
	int arf_part;		/* a message/feedback-report part was read */
};

#define MAX_ENTITIES 256
#define BOUNDARY_MAX 200	/* RFC 2046 says 70; senders stretch it */
#define VALUE_MAX 512

static const char *const kind_names[DSN_KIND__MAX] = {
	[DSN_NONE] = NULL, [DSN_SOFT] = "soft", [DSN_HARD] = "hard",
	[DSN_COMPLAINT] = "complaint",
};

const char *
dsn_kind_name(enum dsn_kind k)
{
	return k < DSN_KIND__MAX ? kind_names[k] : NULL;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/* Do the n bytes of a equal the ASCII string b, whatever the case? */
static int
ci_eq(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n && b[i]; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return i == n && b[i] == '\0';
}

/* The next line of *s (up to LF, the LF and a CR before it left out);
 * 0 when *s is empty. */
static int
line_next(struct span *s, struct span *line)
{
	const char *lf;
	size_t n, used;

	if (s->n == 0)
		return 0;
	lf = memchr(s->p, '\n', s->n);
	n = lf ? (size_t)(lf - s->p) : s->n;
	used = lf ? n + 1 : n;
	line->p = s->p;
	line->n = n && s->p[n - 1] == '\r' ? n - 1 : n;
	s->p += used;
	s->n -= used;
	return 1;
}

/* An entity's header block and body, split at the first empty line (no
 * empty line: all header, empty body). */
static void
split_entity(struct span e, struct span *head, struct span *body)
{
	struct span s = e, line;

	*head = e;
	body->p = e.p + e.n;
	body->n = 0;
	while (line_next(&s, &line))
		if (line.n == 0) {
			head->n = (size_t)(line.p - e.p);
			*body = s;
			return;
		}
}

/* Append n bytes to out (size outsz, *o used), printable ASCII only. */
static void
put_clean(char *out, size_t outsz, size_t *o, const char *p, size_t n)
{
	for (size_t i = 0; i < n && *o + 1 < outsz; i++) {
		unsigned char c = (unsigned char)p[i];

		out[(*o)++] = c == '\t' ? ' ' : c < 0x20 || c > 0x7e ? '?' :
		    (char)c;
	}
}

/* src into dst (size n), cut to fit. */
static void
copy_cut(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Trim spaces at both ends of the NUL-terminated s, in place. */
static void
trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	while (s[i] == ' ')
		i++;
	memmove(s, s + i, n - i + 1);
}

/*
 * The value of the first field called name in head: continuation lines
 * joined by a space, cleaned (put_clean), trimmed, truncated to outsz.
 * 1 when the field is there, else 0 (and out is "").
 */
static int
field_get(struct span head, const char *name, char *out, size_t outsz)
{
	struct span s = head, line;
	size_t o = 0, nl = strlen(name), i;
	int found = 0;

	out[0] = '\0';
	while (line_next(&s, &line)) {
		if (found) {
			if (line.n == 0 || (line.p[0] != ' ' &&
			    line.p[0] != '\t'))
				break;
			for (i = 0; i < line.n && (line.p[i] == ' ' ||
			    line.p[i] == '\t'); i++)
				;
			put_clean(out, outsz, &o, " ", 1);
			put_clean(out, outsz, &o, line.p + i, line.n - i);
			continue;
		}
		if (line.n <= nl || !ci_eq(line.p, nl, name))
			continue;
		for (i = nl; i < line.n && (line.p[i] == ' ' ||
		    line.p[i] == '\t'); i++)
			;
		if (i == line.n || line.p[i] != ':')
			continue;
		found = 1;
		put_clean(out, outsz, &o, line.p + i + 1, line.n - i - 1);
	}
	out[o] = '\0';
	trim(out);
	return found;
}

/* The media type of a Content-Type value, in lower case ("" if none). */
static void
media_type(const char *v, char *out, size_t outsz)
{
	size_t o = 0;

	for (; *v && *v != ';' && *v != ' ' && o + 1 < outsz; v++)
		out[o++] = (char)lower((unsigned char)*v);
	out[o] = '\0';
}

/*
 * A parameter of a Content-Type value (name=value or name="quoted \"
 * value"), case-insensitive name, into out. 1 when found.
 */
static int
media_param(const char *v, const char *name, char *out, size_t outsz)
{
	const char *p = strchr(v, ';');

	while (p && *p == ';') {
		const char *n0;
		size_t nn, o = 0;

		for (p++; *p == ' '; p++)
			;
		for (n0 = p; *p && *p != '=' && *p != ';' && *p != ' '; p++)
			;
		nn = (size_t)(p - n0);
		while (*p == ' ')
			p++;
		if (*p != '=') {
			p = strchr(p, ';');
			continue;
		}
		for (p++; *p == ' '; p++)
			;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (o + 1 < outsz)
					out[o++] = *p;
			}
			if (*p == '"')
				p++;
		} else
			for (; *p && *p != ';' && *p != ' '; p++)
				if (o + 1 < outsz)
					out[o++] = *p;
		out[o] = '\0';
		if (ci_eq(n0, nn, name))
			return 1;
		p = strchr(p, ';');
	}
	out[0] = '\0';
	return 0;
}

/* Is line a delimiter of boundary b: "--b" (1) or "--b--" (2), each
 * followed by optional whitespace? 0 otherwise. */
static int
delimiter(struct span line, const char *b, size_t bn)
{
	size_t i = bn + 2;
	int close = 0;

	if (line.n < i || line.p[0] != '-' || line.p[1] != '-' ||
	    memcmp(line.p + 2, b, bn) != 0)
		return 0;
	if (line.n >= i + 2 && line.p[i] == '-' && line.p[i + 1] == '-') {
		close = 1;
		i += 2;
	}
	for (; i < line.n; i++)
		if (line.p[i] != ' ' && line.p[i] != '\t')
			return 0;
	return close ? 2 : 1;
}

/* "rfc822; a@b" -> "a@b": what follows the first ';', if any. */
static void
after_semicolon(char *s)
{
	char *semi = strchr(s, ';');

	if (semi) {
		memmove(s, semi + 1, strlen(semi + 1) + 1);
		trim(s);
	}
}

/* The status code at the start of s ("5.1.1 (...)" -> "5.1.1") when it
 * is well-formed (class 2, 4 or 5; subject and detail of 1 to 3
 * digits), else "". */
static void
status_code(const char *s, char *out, size_t outsz)
{
	size_t i = 0;

	out[0] = '\0';
	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		return;
	i = 1;
	for (int part = 0; part < 2; part++) {
		size_t d = 0;

		if (s[i++] != '.')
			return;
		while (s[i] >= '0' && s[i] <= '9' && d < 4) {
			i++;
			d++;
		}
		if (d == 0 || d > 3)
			return;
	}
	if (s[i] != '\0' && s[i] != ' ' && s[i] != '(')
		return;
	if (i < outsz) {
		memcpy(out, s, i);
		out[i] = '\0';
	}
}

/* The verdict of one recipient's Action and Status (dsn.h). */
static enum dsn_kind
classify(const char *action, const char *status)
{
	if (!strcmp(action, "failed"))
		return status[0] == '4' ? DSN_SOFT : DSN_HARD;
	if (!strcmp(action, "delayed"))
		return DSN_SOFT;
	if (action[0] == '\0')	/* Action is required; trust the status */
		return status[0] == '5' ? DSN_HARD : status[0] == '4' ?
		    DSN_SOFT : DSN_NONE;
	return DSN_NONE;	/* delivered, relayed, expanded, unknown */
}

/* One per-recipient group of a delivery-status body: keep it when it is
 * worse than what was found so far. */
static void
recipient_group(struct walk *w, struct span g)
{
	char action[VALUE_MAX], status[VALUE_MAX], code[16];
	struct dsn *d = w->out;
	enum dsn_kind k;

	field_get(g, "Action", action, sizeof(action));
	for (char *p = action; *p; p++) {
		if (*p == ' ' || *p == '(') {
			*p = '\0';
			break;
		}
		*p = (char)lower((unsigned char)*p);
	}
	field_get(g, "Status", status, sizeof(status));
	status_code(status, code, sizeof(code));
	k = classify(action, code);
	if (k == DSN_NONE || (d->kind != DSN_NONE && k <= d->kind))
		return;
	d->kind = k;
	copy_cut(d->action, sizeof(d->action), action);
	copy_cut(d->status, sizeof(d->status), code);
	if (!field_get(g, "Final-Recipient", status, sizeof(status)))
		field_get(g, "Original-Recipient", status, sizeof(status));
	after_semicolon(status);
	copy_cut(d->recipient, sizeof(d->recipient), status);
	field_get(g, "Diagnostic-Code", status, sizeof(status));
	after_semicolon(status);
	copy_cut(d->diagnostic, sizeof(d->diagnostic), status);
}

/* A message/delivery-status body: groups of fields between empty lines;
 * a group with an Action or a Status is a recipient's. */
static void
delivery_status(struct walk *w, struct span body)
{
	struct span s = body, line, g = { body.p, 0 };
	int groups = 0, more = 1;
	char v[8];

	while (more && groups < DSN_MAX_GROUPS) {
		more = line_next(&s, &line);
		if (more && line.n > 0) {
			if (g.n == 0)
				g.p = line.p;
			g.n = (size_t)(line.p + line.n - g.p);
			continue;
		}
		if (g.n == 0)
			continue;
		if (field_get(g, "Action", v, sizeof(v)) ||
		    field_get(g, "Status", v, sizeof(v)))
			recipient_group(w, g);
		groups++;
		g.n = 0;
	}
}

/* A message/feedback-report body (RFC 5965): one group of fields. A
 * "not-spam" or "auth-failure" report is no complaint. */
static void
feedback_report(struct walk *w, struct span body)
{
	char type[64];
	struct dsn *d = w->out;

	w->arf_part = 1;
	field_get(body, "Feedback-Type", type, sizeof(type));
	for (char *p = type; *p; p++)
		*p = (char)lower((unsigned char)*p);
	if (!strcmp(type, "not-spam") || !strcmp(type, "auth-failure"))
		return;
	if (d->kind == DSN_COMPLAINT)
		return;
	d->kind = DSN_COMPLAINT;
	d->status[0] = '\0';
	snprintf(d->action, sizeof(d->action), "complaint");
	field_get(body, "Original-Rcpt-To", d->recipient,
	    sizeof(d->recipient));
	snprintf(d->diagnostic, sizeof(d->diagnostic), "feedback-type: %s",
	    type[0] ? type : "abuse");
}

static void entity(struct walk *w, struct span e, int depth);

/* The parts of a multipart body between the delimiters of boundary b
 * (the preamble and the epilogue skipped; an unclosed last part runs to
 * the end). */
static void
multipart(struct walk *w, struct span body, const char *b, int depth)
{
	struct span s = body, line, part = { NULL, 0 };
	size_t bn = strlen(b);
	int parts = 0, kind;

	while (line_next(&s, &line)) {
		if (!(kind = delimiter(line, b, bn)))
			continue;
		if (part.p) {
			/* The line end before a delimiter belongs to it. */
			part.n = (size_t)(line.p - part.p);
			if (part.n && part.p[part.n - 1] == '\n')
				part.n--;
			if (part.n && part.p[part.n - 1] == '\r')
				part.n--;
			entity(w, part, depth + 1);
			if (++parts >= DSN_MAX_PARTS)
				return;
		}
		if (kind == 2)
			return;
		part = s;
	}
	if (part.p)
		entity(w, part, depth + 1);
}

/* One MIME entity: headers, then by its Content-Type a multipart to walk
 * or a report to read; anything else is skipped. */
static void
entity(struct walk *w, struct span e, int depth)
{
	char ct[VALUE_MAX], type[64], v[BOUNDARY_MAX + 1];
	struct span head, body;

	if (++w->entities > MAX_ENTITIES)
		return;
	split_entity(e, &head, &body);
	if (!field_get(head, "Content-Type", ct, sizeof(ct)))
		return;
	media_type(ct, type, sizeof(type));
	if (!strncmp(type, "multipart/", 10)) {
		if (!strcmp(type, "multipart/report") &&
		    media_param(ct, "report-type", v, sizeof(v)) &&
		    ci_eq(v, strlen(v), "feedback-report"))
			w->arf = 1;
		if (depth < DSN_MAX_DEPTH && media_param(ct, "boundary", v,
		    sizeof(v)) && v[0])
			multipart(w, body, v, depth);
	} else if (!strcmp(type, "message/delivery-status") ||
	    !strcmp(type, "message/global-delivery-status"))
		delivery_status(w, body);
	else if (!strcmp(type, "message/feedback-report"))
		feedback_report(w, body);
}

enum dsn_kind
dsn_parse(const char *msg, size_t len, struct dsn *out)
{
	struct walk w = { .out = out };
	struct span all = { msg, msg ? len : 0 };

	memset(out, 0, sizeof(*out));
	entity(&w, all, 0);
	/* A feedback report whose part could not be read still says what
	 * it is. */
	if (w.arf && !w.arf_part && out->kind != DSN_COMPLAINT) {
		memset(out, 0, sizeof(*out));
		out->kind = DSN_COMPLAINT;
		snprintf(out->action, sizeof(out->action), "complaint");
		snprintf(out->diagnostic, sizeof(out->diagnostic),
		    "feedback-type: abuse");
	}
	return out->kind;
}
