/*
 * mode: degraded mode as this host knows it (issue 13, README "Degraded
 * mode"). The state of record is a row in PostgreSQL (site_mode); on each
 * host a follower process (`civitas-fcgi mode-follow`, started by the
 * master) keeps a flag file in step with it, and both nginx and the
 * workers read that file: it exists while the site is degraded.
 */
#ifndef CIVITAS_MODE_H
#define CIVITAS_MODE_H

/* Does the flag file exist? Looked at (one stat) at most once a second
 * per process; path NULL or "": never. */
int mode_file_degraded(const char *path);

/* The same, looked at now. */
int mode_file_exists(const char *path);

/* Make the flag file say on (1) or off (0): created (atomically, through
 * a temporary name) or removed. 1 when it changed, 0 when it already
 * said so, -1 on failure (errno). */
int mode_file_set(const char *path, int on);

#endif
