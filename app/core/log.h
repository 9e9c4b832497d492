/*
 * log: one line per event on stderr, prefixed with the process role and pid.
 * The stack scripts redirect stderr to var/log; workers never open files.
 *
 * LOG_FORMAT=json (config.c, issue 13): each line is one JSON object
 * {"ts","level","role","pid","msg"}; a request's line adds "method",
 * "route" (the pattern; null and "path" when no route matched),
 * "status", "duration_ms" and "request_id".
 */
#ifndef CIVITAS_LOG_H
#define CIVITAS_LOG_H

#include <stddef.h>

void log_set_role(const char *role);
void log_set_json(int on);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A request's line: "METHOD pattern status 1.2ms request_id=ID" in text
 * (the path, when no route matched). */
void log_request(const char *method, const char *route, const char *path,
    int status, double ms, const char *request_id);
/* s as the inside of a JSON string into out (cap bytes, NUL included):
 * quotes, backslashes and controls escaped, bytes that are not UTF-8 as
 * U+FFFD; cut between characters when it does not fit. The length. */
size_t log_json_escape(char *out, size_t cap, const char *s);

#endif
