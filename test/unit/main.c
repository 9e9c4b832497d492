/*
 * build/unit-tests [-v] [SUBSTRING...]: run every registered test (or those
 * whose "suite.test" name contains one of the substrings). One line per
 * failing check, then exactly "N passed, N failed" counted in test
 * functions. Exit status 1 when a test failed or none ran.
 */
#include "../../app/core/common.h"
#include "unit.h"

#include <locale.h>
#include <sodium.h>

static struct unit_suite *suites;
static const char *current_test;
static unsigned current_failures;

void
unit_register(struct unit_suite *s)
{
	s->next = suites;
	suites = s;
}

/* Print s (at most n bytes, n = -1 for a C string) with C escapes. */
static void
print_quoted(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	if (!s) {
		fputs("NULL", stdout);
		return;
	}
	putchar('"');
	for (i = 0; i < n && (n != (size_t)-1 || s[i]); i++) {
		if (i == 200) {
			fputs("...", stdout);
			break;
		}
		if (s[i] == '"' || s[i] == '\\')
			printf("\\%c", s[i]);
		else if (s[i] >= 0x20 && s[i] < 0x7f)
			putchar(s[i]);
		else
			printf("\\x%02x", s[i]);
	}
	putchar('"');
}

static void
fail_prefix(const char *file, int line, const char *expr)
{
	current_failures++;
	printf("%s:%d: %s: %s", file, line, current_test, expr);
}

int
unit_check(int ok, const char *file, int line, const char *expr)
{
	if (ok)
		return 1;
	fail_prefix(file, line, expr);
	putchar('\n');
	return 0;
}

int
unit_eq_int(long long got, long long want, const char *file, int line,
    const char *expr)
{
	if (got == want)
		return 1;
	fail_prefix(file, line, expr);
	printf(": got %lld, want %lld\n", got, want);
	return 0;
}

int
unit_eq_str(const char *got, const char *want, const char *file, int line,
    const char *expr)
{
	if (got == want || (got && want && !strcmp(got, want)))
		return 1;
	fail_prefix(file, line, expr);
	fputs(": got ", stdout);
	print_quoted(got, (size_t)-1);
	fputs(", want ", stdout);
	print_quoted(want, (size_t)-1);
	putchar('\n');
	return 0;
}

int
unit_eq_mem(const void *got, size_t glen, const void *want, size_t wlen,
    const char *file, int line, const char *expr)
{
	if (glen == wlen && (glen == 0 || (got && want &&
	    !memcmp(got, want, glen))))
		return 1;
	fail_prefix(file, line, expr);
	printf(": got %zu bytes ", glen);
	print_quoted(got, glen);
	printf(", want %zu bytes ", wlen);
	print_quoted(want, wlen);
	putchar('\n');
	return 0;
}

static int
selected(const char *suite, const char *test, int argc, char **argv)
{
	char full[256];

	if (argc == 0)
		return 1;
	snprintf(full, sizeof(full), "%s.%s", suite, test);
	for (int i = 0; i < argc; i++)
		if (strstr(full, argv[i]))
			return 1;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	const struct unit_suite *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int
main(int argc, char **argv)
{
	struct unit_suite *list[64];
	size_t nsuites = 0;
	unsigned passed = 0, failed = 0;
	int verbose = 0;

	/* As the application's main() does. */
	setlocale(LC_CTYPE, "C.UTF-8");
	if (sodium_init() < 0) {
		printf("unit: sodium_init failed\n0 passed, 1 failed\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argc--;
		argv++;
	}
	for (struct unit_suite *s = suites; s && nsuites < ARRAY_SIZE(list);
	    s = s->next)
		list[nsuites++] = s;
	qsort(list, nsuites, sizeof(list[0]), by_name);
	for (size_t i = 0; i < nsuites; i++) {
		for (size_t k = 0; k < list[i]->ntests; k++) {
			const struct unit_test *t = &list[i]->tests[k];

			if (!selected(list[i]->name, t->name, argc - 1, argv + 1))
				continue;
			current_test = t->name;
			current_failures = 0;
			t->fn();
			if (current_failures)
				failed++;
			else
				passed++;
			if (verbose)
				printf("%s %s.%s\n", current_failures ?
				    "FAIL" : "ok  ", list[i]->name, t->name);
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed || !passed;
}
