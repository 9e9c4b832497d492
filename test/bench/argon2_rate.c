/*
 * argon2_rate: libsodium's raw Argon2id rate with civitas's parameters
 * (crypto_params), on THREADS threads for SECONDS seconds. Prints
 * "hashes_per_second <float>". The baseline for the sign-up benchmark.
 */
#include "../../app/core/common.h"
#include "../../app/infra/crypto.h"

#include <pthread.h>
#include <time.h>

static double seconds = 10;
static long counts[64];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
worker(void *arg)
{
	long *n = arg;
	char out[crypto_pwhash_STRBYTES];
	double end = now() + seconds;

	while (now() < end) {
		if (password_hash("benchmark-pass", out) != 0)
			abort();
		(*n)++;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t th[64];
	long threads = 2, total = 0;
	double t0;

	if (argc > 1)
		threads = strtol(argv[1], NULL, 10);
	if (argc > 2)
		seconds = strtod(argv[2], NULL);
	if (threads < 1 || threads > 64 || sodium_init() < 0)
		return 2;
	t0 = now();
	for (long i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, &counts[i]);
	for (long i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		total += counts[i];
	}
	printf("hashes_per_second %.2f\n", (double)total / (now() - t0));
	return 0;
}
