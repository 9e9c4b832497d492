/*
 * common.h: included first by every civitas source file.
 *
 * Out-of-memory policy: sizes chosen by users are bounded before anything is
 * allocated (and answered with 4xx); small internal allocations that still
 * fail abort the process through xmalloc & co. A worker that aborts is
 * respawned by the master, and it held no user state, so nothing is lost.
 */
#ifndef CIVITAS_COMMON_H
#define CIVITAS_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* CLOCK_MONOTONIC in seconds (clock.c). */
double mono_now(void);

#include "banned.h"

#endif
