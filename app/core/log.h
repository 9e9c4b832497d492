/*
 * log: one line per event on stderr, prefixed with the process role and pid.
 * The stack scripts redirect stderr to var/log; workers never open files.
 */
#ifndef CIVITAS_LOG_H
#define CIVITAS_LOG_H

void log_set_role(const char *role);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
