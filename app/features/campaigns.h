/*
 * campaigns: mass mail written in the back-office (admins, at
 * /admin/campaigns), by referents for their départements
 * (/referent/campaigns) and by committee hosts for their followers
 * (/committees/{slug}/manage/campaigns). The three are one set of
 * screens (campaigns.c: the list and the form; campaigns_send.c: the
 * campaign's page, its progress, preview, test, send, schedule, pause,
 * resume, cancel, failures) driven by a sender kind, the route's data.
 *
 * Authorisation, checked in C on every request before anything else:
 * the kind's loader fills the scope (admin: any campaign; referent: a
 * member with départements, their own campaigns; host: a host of the
 * committee, its campaigns), and every statement that reads a campaign
 * by id carries the scope, so an id outside it is not found (404).
 * What the form may set is the kind's too: a referent's départements are
 * checked against their areas on every save and send (and cut in SQL by
 * campaign_audience), a host's audience is the committee's followers,
 * fixed here. Members' addresses appear on admins' pages only.
 *
 * State changes are single statements guarded by the current status
 * (sql_campaigns.def); sending freezes the audience in one statement
 * (campaign_start), so a double click sends once.
 */
#ifndef CIVITAS_CAMPAIGNS_H
#define CIVITAS_CAMPAIGNS_H

#include "../infra/form.h"
#include "committees.h"

#define CAMPAIGNS_PER_PAGE 50
#define CAMPAIGN_BODY_MAX 100000	/* characters (the table's CHECK) */

enum campaign_sender { CS_ADMIN, CS_REFERENT, CS_HOST };

struct campaign_scope;

/* A sender kind: the route's data. */
struct campaign_kind {
	enum campaign_sender sender;
	const char *name;	/* campaigns.sender: "admin"... */
	int id_param;		/* r->params[] index of the campaign's {id} */
	const struct form_field *fields;
	/* Fill s for r->user: 0, or the status to answer (403, 404, 503). */
	int (*load)(struct req *r, struct campaign_scope *s);
};

extern const struct campaign_kind campaigns_admin, campaigns_referent,
    campaigns_host;

/* Who writes, and where: what the scope's statements take. */
struct campaign_scope {
	const struct campaign_kind *kind;
	const char *base;		/* "/admin/campaigns"... */
	const char *member_id;		/* r->user's id */
	const char *committee_id;	/* the host's committee, else "" */
	const char *committee_name;	/* its name, else "" */
	const char *committee_slug;
	PGresult *areas;		/* a referent's départements (place) */
	struct committee c;		/* host */
};

/* The scope of the route's kind: 0, or the status (403, 404, 503). */
int campaign_scope_load(struct req *r, struct campaign_scope *s);
/* The campaign {id} of the route within s: 0 (*row: STMT_CAMPAIGN_GET's);
 * 404; 503. */
int campaign_load(struct req *r, const struct campaign_scope *s,
    PGresult **row);
/* The navigation of the scope's pages (raw HTML) and the notice, in v;
 * title into the layout's heading context. */
void campaign_chrome(struct req *r, const struct campaign_scope *s,
    struct view *v);
/* A campaign's status in French. */
const char *campaign_status_label(const char *status);
/* Who it reaches, in French ("Adhérents du Rhône (69)"...). */
const char *campaign_audience_label(struct req *r, const PGresult *row);
/* Are a referent's stored départements (codes separated by spaces)
 * all theirs? 1 or 0 (admins and hosts: 1). */
int campaign_scope_allows(const struct campaign_scope *s, const char *deps);
/* Record an action in the audit log (inside the open transaction). */
int campaign_audit(struct req *r, const char *action, long id,
    const char *label);

#endif
