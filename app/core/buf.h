/*
 * buf: a growable byte buffer with a ceiling fixed at init (after curl's
 * dynbuf). Every append either fits under `max` or fails with -1 and leaves
 * the buffer unchanged, so a user-sized input can never grow a worker without
 * bound. The data is always NUL-terminated (the NUL is not counted in len).
 * Allocation failure aborts: see the out-of-memory policy in common.h.
 */
#ifndef CIVITAS_BUF_H
#define CIVITAS_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hand the data over to the caller (free() it); the buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
