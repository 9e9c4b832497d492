/*
 * ics: writing iCalendar objects (RFC 5545). Pure: no I/O but reading a
 * zone's file under the system's zoneinfo directory.
 *
 * Invariants of what it writes: every content line ends in CRLF, holds no
 * other CR or LF, and is at most 75 octets long (folded lines start with
 * one space, and a fold never splits a UTF-8 sequence); TEXT values are
 * escaped (\ ; , and newlines; CR and the other control characters but
 * TAB are dropped), so that unfolding then unescaping gives the text back
 * without them.
 *
 * Every function appends to a buf and returns 0, or -1 when the buf's
 * ceiling was reached (or, for the zones, when the zone is unknown or its
 * rules cannot be written as a VTIMEZONE).
 */
#ifndef CIVITAS_ICS_H
#define CIVITAS_ICS_H

#include <stddef.h>

#include "buf.h"

#define ICS_ZONEINFO "/usr/share/zoneinfo"
#define ICS_LINE_MAX 75		/* octets, CRLF excluded */

/* "name:value" as a folded content line. name may carry parameters
 * ("DTSTART;TZID=Europe/Paris"); value is written as it is (a DATE-TIME,
 * a URI...), but for control characters (dropped: no CR or LF). */
int ics_prop(struct buf *b, const char *name, const char *value);
/* The same with value a TEXT, escaped. */
int ics_text(struct buf *b, const char *name, const char *text);
/* A parameter value as a quoted-string (DQUOTE and controls dropped),
 * e.g. for CN: ";CN=" then ics_param(). */
int ics_param(struct buf *b, const char *value);

/* The pieces, for tests: escape n bytes of TEXT; fold one line of n
 * octets (no CRLF in it) and end it with CRLF. */
int ics_escape(struct buf *b, const char *s, size_t n);
int ics_fold(struct buf *b, const char *line, size_t n);
/* The reader's side, in place (for tests and the fuzz target): remove
 * the folds (CRLF + one space or TAB), and unescape a TEXT. Return the
 * new length. */
size_t ics_unfold(char *s, size_t n);
size_t ics_unescape(char *s, size_t n);

/* A zone's current rules, from the POSIX TZ string that ends a TZif v2+
 * file ("CET-1CEST,M3.5.0,M10.5.0/3"). Offsets are seconds east of UTC;
 * a rule is day wday (0 Sunday) of week (1-4, 5 the last) of month
 * (1-12), at secs local time (may be negative or beyond 24 h). */
struct ics_rule {
	int month, week, wday;
	long secs;
};
struct ics_zone {
	char std_name[16], dst_name[16];
	long std_off, dst_off;
	int has_dst;
	struct ics_rule dst_start, dst_end;
};
int ics_posix_tz(const char *s, struct ics_zone *z);

/* Is tzid a zone name we may look up (letters, digits, "/_+-", no "..")? */
int ics_tzid_valid(const char *tzid);
/* The POSIX TZ string of tzid under dir (ICS_ZONEINFO), into out. */
int ics_zone_footer(const char *dir, const char *tzid, char *out,
    size_t outsz);
/* The VTIMEZONE of tzid: its current rules (a STANDARD, and a DAYLIGHT
 * when it has summer time, each with a yearly RRULE), from 1970 on. */
int ics_vtimezone_of(struct buf *b, const char *tzid,
    const struct ics_zone *z);
/* The same, read from dir. */
int ics_vtimezone(struct buf *b, const char *dir, const char *tzid);

#endif
