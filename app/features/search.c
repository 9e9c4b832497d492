/*
 * search (work in progress).
 */
#include "../core/common.h"
#include "features.h"

int
search_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}

int
api_search_get(struct req *r)
{
	(void)r;
	return 404;	/* not yet */
}
