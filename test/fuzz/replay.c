/*
 * replay: run a fuzz target's LLVMFuzzerTestOneInput over files, without
 * libFuzzer, so that the corpus can be replayed with gcc (and its
 * sanitizers) in `make test`.
 *
 *	build-fuzz/replay/fuzz_x DIR|FILE...
 *
 * Every regular file of every DIR (not recursive), in name order. Prints
 * "replay: N inputs"; exits 1 when there were no inputs or a file could not
 * be read. A crash, a failed FUZZ_CHECK or a sanitizer report ends the
 * process; the input being run is then named on stderr.
 */
#include "fuzz.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#include <sanitizer/common_interface_defs.h>
#define HAVE_SANITIZER_API 1
#endif

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static char current[4096];

static void
say_current(void)
{
	static const char pre[] = "replay: while running ";

	if (!current[0])
		return;
	if (write(STDERR_FILENO, pre, sizeof(pre) - 1) < 0 ||
	    write(STDERR_FILENO, current, strlen(current)) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		return;
}

static void
on_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long size;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	/* Exactly size bytes, so that reads past the input are caught. */
	data = xmalloc(size ? (size_t)size : 1);
	if (size && fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	snprintf(current, sizeof(current), "%s", path);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	current[0] = '\0';
	free(data);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of dir; count them in *n. */
static int
run_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t count = 0, cap = 0;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[count++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (count)
		qsort(names, count, sizeof(*names), by_name);
	for (size_t i = 0; i < count; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) < 0)
				rc = -1;
			else
				(*n)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	static const int sigs[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], on_signal);
#ifdef HAVE_SANITIZER_API
	__sanitizer_set_death_callback(say_current);
#endif
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc |= run_dir(argv[i], &n);
		else if (run_file(argv[i]) < 0)
			rc = -1;
		else
			n++;
	}
	printf("replay: %zu inputs\n", n);
	return rc < 0 || n == 0;
}
