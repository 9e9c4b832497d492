/*
 * applications: volunteers applying to missions, the states of an
 * application and their mails, the thread between a volunteer and the
 * organisation (applications.c), the managers' list, bulk changes and
 * CSV (applications_manage.c). Issue 11, part C.
 *
 * Invariants:
 * - places, the waiting list and "one active application per member and
 *   mission" are PostgreSQL's (application_apply, application_change);
 *   C never counts places to decide;
 * - who may make a change is core/volstate's table (vs_find with the
 *   viewer's roles on *that* application, volunteer.h); the change is a
 *   compare-and-set on the status the request read;
 * - every mail is queued in the transaction of its change; no page shows
 *   a member's e-mail address or phone to another member (volunteers
 *   are "first name + initial", managers the organisation's name).
 */
#ifndef CIVITAS_APPLICATIONS_H
#define CIVITAS_APPLICATIONS_H

#include "../infra/app.h"

/* The French label of a reason as stored, for an application of that
 * status ("" when unknown). */
const char *application_reason_label(const char *status,
    const char *reason);

/*
 * Mail what application_change() returned (rows of STMT_APP_CHANGE, or
 * any result whose columns col_id and col_promoted are the
 * application's id and whether it was promoted): the changed
 * application's volunteer gets its new status (with its reason), each
 * promoted one "a place is free". For other parts too (a cancelled
 * mission, a deleted account). Call inside the change's transaction.
 * 0, or -1 when PostgreSQL failed.
 */
int application_mail_changes(struct req *r, const PGresult *res, int col_id,
    int col_promoted);

/* Shared by the two files. */
#define APPLICATIONS_PER_PAGE 50
int application_mail_volunteer(struct req *r, const char *id,
    const char *message);
int application_mail_managers(struct req *r, const char *id,
    const char *tpl, const char *subject_prefix, const char *message,
    long except_uid);

#endif
