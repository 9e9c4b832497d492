/*
 * fuzz.h: shared by the fuzz targets in test/fuzz/. Each target defines
 * LLVMFuzzerTestOneInput(); scripts/fuzz.sh builds it with libFuzzer
 * (clang, `make fuzz`) or with replay.c (gcc, the corpus replay of
 * `make test`).
 *
 * FUZZ_CHECK states an invariant of the code under test: when it does not
 * hold the target aborts, which both drivers report as a crash, with the
 * failed expression on stderr.
 */
#ifndef CIVITAS_FUZZ_H
#define CIVITAS_FUZZ_H

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated heap copy of the input (free() it). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An exact-size heap copy, so that any read past the end is caught. */
static inline char *
fuzz_copy(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size);

	if (size)
		memcpy(s, data, size);
	return s;
}

#endif
