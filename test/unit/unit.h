/*
 * unit: the smallest test harness that does the job.
 *
 * A test is a `static void name(void)` function; each test file ends with
 *
 *	UNIT_SUITE(parse,
 *	    UNIT(url_decode_escapes),
 *	    UNIT(utf8_valid_rejects_overlongs))
 *
 * which registers its table before main() runs (so a new test/unit file
 * needs no other edit, and a test left out of the table is an unused static
 * function: a compile error under -Werror).
 *
 * CHECK, EQ_INT, EQ_STR and EQ_MEM record file:line on failure and keep
 * going; they evaluate to 1 when they hold, so a test can stop early:
 *	if (!EQ_INT(f.n, 2)) return;
 */
#ifndef CIVITAS_UNIT_H
#define CIVITAS_UNIT_H

#include <stddef.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

struct unit_suite {
	const char *name;
	const struct unit_test *tests;
	size_t ntests;
	struct unit_suite *next;
};

void unit_register(struct unit_suite *s);
int unit_check(int ok, const char *file, int line, const char *expr);
int unit_eq_int(long long got, long long want, const char *file, int line,
    const char *expr);
int unit_eq_str(const char *got, const char *want, const char *file,
    int line, const char *expr);
int unit_eq_mem(const void *got, size_t glen, const void *want, size_t wlen,
    const char *file, int line, const char *expr);

#define CHECK(c) unit_check(!!(c), __FILE__, __LINE__, #c)
#define EQ_INT(got, want) unit_eq_int((long long)(got), (long long)(want), \
	__FILE__, __LINE__, #got " == " #want)
#define EQ_STR(got, want) unit_eq_str((got), (want), __FILE__, __LINE__, \
	#got " == " #want)
#define EQ_MEM(got, glen, want, wlen) unit_eq_mem((got), (glen), (want), \
	(wlen), __FILE__, __LINE__, #got " == " #want)

#define UNIT(fn) { #fn, fn }
#define UNIT_SUITE(suite, ...)						\
	static const struct unit_test unit_tests_[] = { __VA_ARGS__ };	\
	static struct unit_suite unit_suite_ = { #suite, unit_tests_,	\
	    sizeof(unit_tests_) / sizeof(unit_tests_[0]), NULL };	\
	__attribute__((constructor)) static void			\
	unit_register_(void)						\
	{								\
		unit_register(&unit_suite_);				\
	}

#endif
