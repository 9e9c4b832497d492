/*
 * event_ics_stub: TEMPORARY, until the calendar branch (calendar.c) is
 * merged: a weak event_ics so that the events build and run. Removed at
 * the merge.
 */
#include "../core/common.h"
#include "events.h"

__attribute__((weak)) const char *
event_ics(struct req *r, const char *event_id, const char *method,
    const char *attendee)
{
	(void)attendee;
	return arena_printf(&r->arena, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//civitas//stub//FR\r\nMETHOD:%s\r\nX-EVENT:%s\r\n"
	    "END:VCALENDAR\r\n", method, event_id);
}
