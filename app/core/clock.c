/*
 * clock: the monotonic clock in seconds, for deadlines and for how long a
 * cache may trust what it keeps.
 */
#include "common.h"

#include <time.h>

double
mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
