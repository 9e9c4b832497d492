/* buf, arena, escape: the memory and output primitives. */
#include "../../app/core/common.h"
#include "../../app/core/arena.h"
#include "../../app/core/buf.h"
#include "../../app/core/escape.h"
#include "unit.h"

#include <fcntl.h>
#include <stdalign.h>
#include <sys/wait.h>
#include <unistd.h>

static void
buf_append_stops_at_max(void)
{
	struct buf b;

	buf_init(&b, 8);
	EQ_INT(buf_append(&b, "12345", 5), 0);
	EQ_INT(b.len, 5);
	/* 5 + 4 > 8: refused, nothing changes. */
	EQ_INT(buf_append(&b, "6789", 4), -1);
	EQ_INT(b.len, 5);
	EQ_STR(b.data, "12345");
	EQ_INT(buf_puts(&b, "678"), 0);
	EQ_STR(b.data, "12345678");
	EQ_INT(b.len, 8);
	EQ_INT(buf_putc(&b, 'x'), -1);
	EQ_INT(buf_puts(&b, ""), 0);
	EQ_STR(b.data, "12345678");
	CHECK(b.cap <= b.max + 1);
	buf_reset(&b);
	EQ_INT(b.len, 0);
	EQ_STR(b.data, "");
	EQ_INT(buf_append(&b, "abcdefgh", 8), 0);
	buf_release(&b);
	CHECK(b.data == NULL);
	EQ_INT(b.max, 8);
}

static void
buf_append_huge_length_refused(void)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	EQ_INT(buf_puts(&b, "abc"), 0);
	/* A length that would wrap size_t arithmetic must not be accepted. */
	EQ_INT(buf_append(&b, "x", (size_t)-1), -1);
	EQ_INT(buf_append(&b, "x", (size_t)-3), -1);
	EQ_STR(b.data, "abc");
	EQ_INT(b.len, 3);
	buf_release(&b);
}

static void
buf_grows_past_first_block(void)
{
	struct buf b;
	char chunk[100];

	memset(chunk, 'z', sizeof(chunk));
	buf_init(&b, 10000);
	for (int i = 0; i < 100; i++)
		if (!EQ_INT(buf_append(&b, chunk, sizeof(chunk)), 0))
			break;
	EQ_INT(b.len, 10000);
	EQ_INT(b.data[b.len], '\0');
	CHECK(b.data[0] == 'z' && b.data[9999] == 'z');
	EQ_INT(buf_putc(&b, 'z'), -1);
	buf_release(&b);
}

static void
buf_printf_respects_max(void)
{
	struct buf b;

	buf_init(&b, 16);
	EQ_INT(buf_printf(&b, "%d-%s", 42, "ab"), 0);
	EQ_STR(b.data, "42-ab");
	EQ_INT(buf_printf(&b, "[%05d]", 7), 0);
	EQ_STR(b.data, "42-ab[00007]");
	EQ_INT(b.len, 12);
	/* 12 + 5 > 16: refused whole, not truncated. */
	EQ_INT(buf_printf(&b, "%s", "vwxyz"), -1);
	EQ_STR(b.data, "42-ab[00007]");
	EQ_INT(b.len, 12);
	EQ_INT(buf_printf(&b, "%s", "wxyz"), 0);
	EQ_STR(b.data, "42-ab[00007]wxyz");
	EQ_INT(buf_printf(&b, "%s", ""), 0);
	EQ_INT(b.len, 16);
	buf_release(&b);
}

static void
buf_detach_hands_over(void)
{
	struct buf b;
	size_t len = 99;
	char *p;

	buf_init(&b, 64);
	buf_puts(&b, "abc");
	p = buf_detach(&b, &len);
	if (CHECK(p != NULL))
		EQ_STR(p, "abc");
	EQ_INT(len, 3);
	CHECK(b.data == NULL);
	EQ_INT(b.len, 0);
	EQ_INT(b.max, 64);
	/* The buffer is reusable after a detach. */
	EQ_INT(buf_puts(&b, "de"), 0);
	EQ_STR(b.data, "de");
	free(p);
	buf_release(&b);
}

static void
buf_detach_empty_is_empty_string(void)
{
	struct buf b;
	size_t len = 99;
	char *p, *junk;

	/*
	 * Leave a freed block of the size buf_grow() asks for, full of
	 * non-zero bytes, so that the allocator is likely to hand it back
	 * uninitialised: "always NUL-terminated" must hold even then.
	 */
	junk = malloc(256);
	if (junk)
		memset(junk, 'x', 256);
	free(junk);
	buf_init(&b, 1024);
	p = buf_detach(&b, &len);
	EQ_INT(len, 0);
	if (CHECK(p != NULL))
		EQ_STR(p, "");
	free(p);
}

static void
arena_alloc_alignment(void)
{
	struct arena a;
	char *p[40];
	const size_t sizes[] = { 1, 3, 7, 8, 15, 16, 17, 31, 33, 100 };

	arena_init(&a, 512);
	for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
		size_t n = sizes[i % ARRAY_SIZE(sizes)];

		p[i] = arena_alloc(&a, n);
		CHECK((uintptr_t)p[i] % alignof(max_align_t) == 0);
		memset(p[i], (int)i + 1, n);
	}
	/* No allocation overlaps another. */
	for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
		size_t n = sizes[i % ARRAY_SIZE(sizes)];

		for (size_t k = 0; k < n; k++)
			if (!EQ_INT(p[i][k], (char)(i + 1)))
				break;
	}
	arena_release(&a);
}

static void
arena_oversized_allocs(void)
{
	struct arena a;
	char *small1, *big, *small2, *first;

	arena_init(&a, 256);
	/* Oversized as the very first allocation. */
	first = arena_alloc(&a, 5000);
	memset(first, 'f', 5000);
	small1 = arena_alloc(&a, 10);
	memcpy(small1, "small one", 10);
	big = arena_alloc(&a, 100000);
	CHECK((uintptr_t)big % alignof(max_align_t) == 0);
	memset(big, 'b', 100000);
	small2 = arena_alloc(&a, 10);
	memcpy(small2, "small two", 10);
	EQ_STR(small1, "small one");
	EQ_STR(small2, "small two");
	CHECK(first[0] == 'f' && first[4999] == 'f');
	CHECK(big[0] == 'b' && big[99999] == 'b');
	/* Exactly one chunk's worth, then one byte more. */
	memset(arena_alloc(&a, 256), 1, 256);
	memset(arena_alloc(&a, 257), 2, 257);
	EQ_STR(small1, "small one");
	arena_reset(&a);
	big = arena_alloc(&a, 300);
	memset(big, 'c', 300);
	small1 = arena_strdup(&a, "after reset");
	EQ_STR(small1, "after reset");
	arena_release(&a);
}

/* Run fn in a child process: did it end normally? (1 yes, 0 no, -1 error) */
static int
returns_normally(void (*fn)(void))
{
	int status, devnull;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* Quiet: an abort or a sanitizer report is the expected end. */
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
huge_alloc(void)
{
	struct arena a;

	arena_init(&a, 1024);
	(void)arena_alloc(&a, SIZE_MAX - 8);
}

static void
arena_huge_alloc_aborts(void)
{
	/*
	 * A size no allocator can satisfy must abort (common.h policy), not
	 * wrap around in the alignment arithmetic and return a tiny block.
	 */
	EQ_INT(returns_normally(huge_alloc), 0);
}

static void
arena_reset_keeps_working(void)
{
	struct arena a;
	unsigned char *z;
	char want[16];
	int zero = 1;

	arena_init(&a, 1024);
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 100; i++)
			memset(arena_alloc(&a, 100), 0xaa, 100);
		arena_reset(&a);
		/* Memory handed back dirty must still come out zeroed. */
		z = arena_zalloc(&a, 900);
		for (int i = 0; i < 900; i++)
			zero &= z[i] == 0;
		EQ_STR(arena_strndup(&a, "abcdef", 3), "abc");
		snprintf(want, sizeof(want), "n=%d", round * 10);
		EQ_STR(arena_printf(&a, "%s=%d", "n", round * 10), want);
		arena_reset(&a);
	}
	CHECK(zero);
	arena_release(&a);
}

static char defer_log[16];
static size_t defer_n;

static void
defer_note(void *p)
{
	if (defer_n < sizeof(defer_log) - 1)
		defer_log[defer_n++] = *(const char *)p;
}

static void
arena_defers_run_in_reverse(void)
{
	static const char one = '1', two = '2', three = '3', four = '4';
	struct arena a;

	arena_init(&a, 64);	/* small: defer records span chunks */
	defer_n = 0;
	memset(defer_log, 0, sizeof(defer_log));
	arena_defer(&a, defer_note, (void *)&one);
	arena_alloc(&a, 200);
	arena_defer(&a, defer_note, (void *)&two);
	arena_alloc(&a, 50);
	arena_defer(&a, defer_note, (void *)&three);
	EQ_STR(defer_log, "");
	arena_reset(&a);
	EQ_STR(defer_log, "321");
	/* Each defer runs once. */
	arena_reset(&a);
	EQ_STR(defer_log, "321");
	arena_defer(&a, defer_note, (void *)&four);
	arena_release(&a);
	EQ_STR(defer_log, "3214");
}

static void
html_escape_specials(void)
{
	struct buf b;

	buf_init(&b, 1024);
	EQ_INT(html_escape(&b, "a&b<c>d\"e'f"), 0);
	EQ_STR(b.data, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	buf_reset(&b);
	EQ_INT(html_escape(&b, "<script>alert('x')</script>"), 0);
	EQ_STR(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	buf_reset(&b);
	/* UTF-8 and everything else pass through. */
	EQ_INT(html_escape(&b, "Élodie ☃ 😀 %20 / = \\"), 0);
	EQ_STR(b.data, "Élodie ☃ 😀 %20 / = \\");
	buf_reset(&b);
	EQ_INT(html_escape(&b, ""), 0);
	EQ_STR(b.data ? b.data : "", "");
	buf_reset(&b);
	/* Code points HTML forbids are dropped: C0 controls bar whitespace,
	 * DEL and the C1 controls, noncharacters of every plane. */
	EQ_INT(html_escape(&b, "a\x01" "b\x1f<\x7f>c\xc2\x85" "d\xc2\x9f"
	    "e\xef\xb7\x90" "f\xef\xb7\xaf" "g\xef\xbf\xbeh\xef\xbf\xbfi"
	    "\xf0\x9f\xbf\xbej\xf4\x8f\xbf\xbfk"), 0);
	EQ_STR(b.data, "ab&lt;&gt;cdefghijk");
	buf_reset(&b);
	/* Their neighbours stay: whitespace, NBSP, U+FDCF, U+FDF0, U+FFFD,
	 * U+1FFFD, U+10FFFD; and a broken sequence is copied as it is. */
	EQ_INT(html_escape(&b, "\t\n\f\r \xc2\xa0\xef\xb7\x8f\xef\xb7"
	    "\xb0\xef\xbf\xbd\xf0\x9f\xbf\xbd\xf4\x8f\xbf\xbd\xef\xbf"), 0);
	EQ_STR(b.data, "\t\n\f\r \xc2\xa0\xef\xb7\x8f\xef\xb7\xb0"
	    "\xef\xbf\xbd\xf0\x9f\xbf\xbd\xf4\x8f\xbf\xbd\xef\xbf");
	buf_release(&b);
	{
		char s[] = "\x01" "a\xef\xbf\xbf" "b\x7f";

		EQ_STR(html_drop_forbidden(s), "ab");
	}
	/* The shortcut of the views: nothing to do for most strings. */
	EQ_INT(html_escape_needed("Élodie \t\n ☃ 😀 \xef\xbf\xbd"), 0);
	EQ_INT(html_escape_needed(""), 0);
	EQ_INT(html_escape_needed("a'b"), 1);
	EQ_INT(html_escape_needed("a&"), 1);
	EQ_INT(html_escape_needed("a\x01"), 1);
	EQ_INT(html_escape_needed("a\xef\xbf\xbf"), 1);
	/* The ceiling applies to the escaped length. */
	buf_init(&b, 8);
	EQ_INT(html_escape(&b, "<<"), 0);	/* 8 bytes */
	EQ_STR(b.data, "&lt;&lt;");
	buf_reset(&b);
	EQ_INT(html_escape(&b, "a<<"), -1);
	buf_release(&b);
}

static void
url_encode_reserved(void)
{
	struct buf b;

	buf_init(&b, 1024);
	EQ_INT(url_encode(&b, "AZaz09-._~"), 0);
	EQ_STR(b.data, "AZaz09-._~");
	buf_reset(&b);
	EQ_INT(url_encode(&b, "a b&c=d/é?#+%"), 0);
	EQ_STR(b.data, "a%20b%26c%3Dd%2F%C3%A9%3F%23%2B%25");
	buf_reset(&b);
	EQ_INT(url_encode(&b, "/account?x=1"), 0);
	EQ_STR(b.data, "%2Faccount%3Fx%3D1");
	buf_release(&b);
	buf_init(&b, 5);
	EQ_INT(url_encode(&b, "éa"), -1);	/* "%C3%A9" is 6 > 5 */
	CHECK(b.len <= 5);
	buf_release(&b);
}

UNIT_SUITE(core,
    UNIT(buf_append_stops_at_max),
    UNIT(buf_append_huge_length_refused),
    UNIT(buf_grows_past_first_block),
    UNIT(buf_printf_respects_max),
    UNIT(buf_detach_hands_over),
    UNIT(buf_detach_empty_is_empty_string),
    UNIT(arena_alloc_alignment),
    UNIT(arena_oversized_allocs),
    UNIT(arena_huge_alloc_aborts),
    UNIT(arena_reset_keeps_working),
    UNIT(arena_defers_run_in_reverse),
    UNIT(html_escape_specials),
    UNIT(url_encode_reserved))
