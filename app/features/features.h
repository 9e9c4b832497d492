/*
 * features: every route handler. Each handler's comment lists its inputs
 * and the statuses it can return; the dispatcher (core/server.c) has
 * already enforced the method, body limits, CSRF, session and role.
 */
#ifndef CIVITAS_FEATURES_H
#define CIVITAS_FEATURES_H

#include "../core/app.h"
#include "address.h"

/* The identity a member gives at sign-up and edits on the account page. */
struct member {
	const char *first_name;
	const char *last_name;
	const char *email;
	const char *gender;
	const char *birth_date;
	const char *phone;
	struct address addr;
};

void member_check_identity(struct form *f, struct member *m);
void member_view_identity(struct form *f, const struct member *m);

int home_get(struct req *r);
int health_get(struct req *r);
int cities_get(struct req *r);
int admin_get(struct req *r);

int signup_get(struct req *r);
int signup_post(struct req *r);
int signup_done_get(struct req *r);
int signup_confirm_get(struct req *r);
int signup_resend_get(struct req *r);
int signup_resend_post(struct req *r);

int login_get(struct req *r);
int login_post(struct req *r);
int logout_post(struct req *r);
int forgot_get(struct req *r);
int forgot_post(struct req *r);
int reset_get(struct req *r);
int reset_post(struct req *r);

int account_get(struct req *r);
int account_post(struct req *r);
int account_password_post(struct req *r);
int account_delete_get(struct req *r);
int account_delete_post(struct req *r);
int account_deleted_get(struct req *r);

/* Shared by sign-up, resend and reset: queue the confirmation mail. */
int send_confirmation(struct req *r, long uid, const char *email,
    const char *first_name);
/* A page with a title, a message and an optional link. */
int message_page(struct req *r, int status, const char *title,
    const char *message, const char *link, const char *link_label);

#endif
