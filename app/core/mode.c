/*
 * mode: the degraded mode's flag file (mode.h).
 */
#include "common.h"
#include "mode.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int
mode_file_exists(const char *path)
{
	struct stat st;

	return path && *path && stat(path, &st) == 0;
}

int
mode_file_degraded(const char *path)
{
	static double checked_at = -1;
	static int degraded;
	double now;

	if (!path || !*path)
		return 0;
	now = mono_now();
	if (checked_at < 0 || now - checked_at >= 1.0) {
		degraded = mode_file_exists(path);
		checked_at = now;
	}
	return degraded;
}

int
mode_file_set(const char *path, int on)
{
	char tmp[4096];
	int fd, is_on, ok;

	if (!path || !*path) {
		errno = EINVAL;
		return -1;
	}
	is_on = mode_file_exists(path);
	if (is_on == on)
		return 0;
	if (!on)
		return unlink(path) == 0 || errno == ENOENT ? 1 : -1;
	if (snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Readable by nginx (another user): it only looks at its existence. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	ok = write(fd, "degraded\n", 9) == 9;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	return 1;
}
