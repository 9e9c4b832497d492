/* db: a call with the wrong number of parameters stops the process. */
#include "../../app/core/common.h"
#include "../../app/infra/db.h"
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void
nargs_are_counted(void)
{
	EQ_INT(DB_NARGS(), 0);
	EQ_INT(DB_NARGS(x), 1);
	EQ_INT(DB_NARGS(x, y, z), 3);
	EQ_INT(DB_NARGS(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p), 16);
}

/* Run one call in a child: did it die of SIGABRT before touching any
 * connection? */
static int
aborts(int which)
{
	static const char *const two[] = { "a", "b" };
	struct db db;
	struct arena a;
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);	/* the log line of the abort */
		db_init(&db, "postgresql:///civitas-unit-nowhere");
		arena_init(&a, 4096);
		if (which == 0)
			db_exec(&db, &a, STMT_PING, "extra");
		else if (which == 1)
			db_exec(&db, &a, STMT_TOKEN_USE);
		else if (which == 2)
			db_exec_array(&db, &a, STMT_TOKEN_USE, 2, two);
		else
			db_exec(&db, &a, STMT_NONE);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void
wrong_counts_abort(void)
{
	CHECK(aborts(0));	/* STMT_PING takes none */
	CHECK(aborts(1));	/* STMT_TOKEN_USE takes one */
	CHECK(aborts(2));	/* an array of the wrong length */
	CHECK(aborts(3));	/* no statement at all */
}

UNIT_SUITE(db,
    UNIT(nargs_are_counted),
    UNIT(wrong_counts_abort))
