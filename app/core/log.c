#include "common.h"
#include "log.h"

#include <time.h>
#include <unistd.h>

static const char *log_role = "civitas";
static int log_json;

void
log_set_role(const char *role)
{
	log_role = role;
}

void
log_set_json(int on)
{
	log_json = on;
}

/* The length of the valid UTF-8 sequence at s, 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

size_t
log_json_escape(char *out, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n;
	char tmp[8];
	const char *piece;

	if (cap == 0)
		return 0;
	while (*p) {
		n = 1;
		piece = tmp;
		if (*p == '"')
			piece = "\\\"";
		else if (*p == '\\')
			piece = "\\\\";
		else if (*p == '\n')
			piece = "\\n";
		else if (*p == '\r')
			piece = "\\r";
		else if (*p == '\t')
			piece = "\\t";
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(tmp, sizeof(tmp), "\\u%04x", *p);
		else if ((n = utf8_len(p)) == 0) {
			piece = "\\ufffd";	/* not UTF-8: JSON must be */
			n = 1;
		} else {
			memcpy(tmp, p, n);
			tmp[n] = '\0';
		}
		if (o + strlen(piece) >= cap)
			break;	/* cut between characters, never inside one */
		memcpy(out + o, piece, strlen(piece));
		o += strlen(piece);
		p += n;
	}
	out[o] = '\0';
	return o;
}

/* A line being built: never past cap (a long message is cut, and the
 * closing of a JSON object always fits: RESERVE bytes are kept). */
#define RESERVE 8
struct line {
	char s[4096];
	size_t n;
};

static void
lput(struct line *l, const char *fmt, ...)
{
	size_t left = sizeof(l->s) - l->n;
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(l->s + l->n, left, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n += MIN((size_t)k, left - 1);
}

static void
lesc(struct line *l, const char *s, size_t max)
{
	size_t left = sizeof(l->s) - l->n;

	if (left <= RESERVE)
		return;
	l->n += log_json_escape(l->s + l->n, MIN(max, left - RESERVE), s);
}

/* One write(2) per line keeps lines of concurrent workers whole. */
static void
lwrite(struct line *l)
{
	if (l->n >= sizeof(l->s) - 1)
		l->n = sizeof(l->s) - 2;
	l->s[l->n++] = '\n';
	if (write(STDERR_FILENO, l->s, l->n) < 0)
		return;
}

/* The start of a JSON line: {"ts":...,"level":...,"role":...,"pid":...,
 * "msg":"..." (the object is left open for more fields). */
static void
json_head(struct line *l, const char *level, const char *msg)
{
	char stamp[40];
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ", ts.tv_nsec / 1000000);
	l->n = 0;
	lput(l, "{\"ts\":\"%s\",\"level\":\"%s\",\"role\":\"", stamp, level);
	lesc(l, log_role, 64);
	lput(l, "\",\"pid\":%ld,\"msg\":\"", (long)getpid());
	lesc(l, msg, 3072);
	lput(l, "\"");
}

static void
log_line(const char *level, const char *fmt, va_list ap)
{
	struct line l;
	char msg[2048], stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_json) {
		json_head(&l, level, msg);
		lput(&l, "}");
		lwrite(&l);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	l.n = 0;
	lput(&l, "%s %s[%ld] %s: %s", stamp, log_role, (long)getpid(), level,
	    msg);
	lwrite(&l);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

void
log_request(const char *method, const char *route, const char *path,
    int status, double ms, const char *request_id)
{
	struct line l;
	char msg[512];

	snprintf(msg, sizeof(msg), "%s %s %d %.1fms", method,
	    route ? route : path, status, ms);
	if (!log_json) {
		log_info("%s request_id=%s", msg, request_id);
		return;
	}
	json_head(&l, "info", msg);
	lput(&l, ",\"method\":\"");
	lesc(&l, method, 64);
	if (route) {
		lput(&l, "\",\"route\":\"");
		lesc(&l, route, 512);
	} else {
		lput(&l, "\",\"route\":null,\"path\":\"");
		lesc(&l, path, 512);
	}
	lput(&l, "\",\"status\":%d,\"duration_ms\":%.3f,\"request_id\":\"",
	    status, ms);
	lesc(&l, request_id, 160);
	lput(&l, "\"}");
	lwrite(&l);
}
