/*
 * features: every route handler. Each handler's comment lists its inputs
 * and the statuses it can return; the dispatcher (core/server.c) has
 * already enforced the method, body limits, CSRF, session and role.
 */
#ifndef CIVITAS_FEATURES_H
#define CIVITAS_FEATURES_H

#include "../infra/app.h"
#include "../infra/csrf.h"
#include "../infra/render.h"
#include "../infra/session.h"
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

int health_get(struct req *r);
int cities_get(struct req *r);

/* content.c: the public site. */
int home_get(struct req *r);
int articles_get(struct req *r);
int category_get(struct req *r);
int article_get(struct req *r);
int page_get(struct req *r);
int feed_get(struct req *r);
int sitemap_get(struct req *r);
int robots_get(struct req *r);
/* The worker's fallback: a GET no route or object answers gets the
 * redirection of its path, else the 404 page. */
int not_found(struct req *r);
/* The worker's page-cache hooks (core/req.h): what it keeps is true
 * until PostgreSQL notifies a content change on CONTENT_CHANNEL, the
 * connection is lost, or the next scheduled article is due. */
#define CONTENT_CHANNEL "civitas_content"
int content_cache_valid(struct req *r);
int content_cache_arm(struct req *r);
/* search.c */
int search_get(struct req *r);
int api_search_get(struct req *r);

/* admin*.c (admin.h): the back-office. admin_nav(): its navigation, with the
 * section at path `current` marked (already-safe HTML). */
const char *admin_nav(struct req *r, const char *current);
int admin_get(struct req *r);
int admin_audit_get(struct req *r);
int admin_preview_post(struct req *r);
int admin_articles_get(struct req *r);
int admin_article_new_get(struct req *r);
int admin_article_create_post(struct req *r);
int admin_article_get(struct req *r);
int admin_article_post(struct req *r);
int admin_article_preview_get(struct req *r);	/* in content.c */
int admin_article_delete_post(struct req *r);
int admin_pages_get(struct req *r);
int admin_page_new_get(struct req *r);
int admin_page_create_post(struct req *r);
int admin_page_get(struct req *r);
int admin_page_post(struct req *r);
int admin_page_preview_get(struct req *r);	/* in content.c */
int admin_page_delete_post(struct req *r);
int admin_categories_get(struct req *r);
int admin_category_create_post(struct req *r);
int admin_category_get(struct req *r);
int admin_category_post(struct req *r);
int admin_category_delete_post(struct req *r);
int admin_blocks_get(struct req *r);
int admin_block_create_post(struct req *r);
int admin_block_get(struct req *r);
int admin_block_post(struct req *r);
int admin_block_delete_post(struct req *r);
int admin_redirections_get(struct req *r);
int admin_redirection_create_post(struct req *r);
int admin_redirection_get(struct req *r);
int admin_redirection_post(struct req *r);
int admin_redirection_delete_post(struct req *r);

/* media.c: images, served and managed. */
int img_get(struct req *r);
int admin_media_get(struct req *r);
int admin_media_upload_post(struct req *r);
int admin_media_item_get(struct req *r);
int admin_media_item_post(struct req *r);
int admin_media_delete_post(struct req *r);

/* routes.c: the whole URL space. */
extern const struct route routes[];
extern const size_t nroutes;

/* Command line (main.c): cli.c, media.c and admin.c. */
int cli_admin(struct app *app, const char *email);
int cli_hash(void);
int cli_media_import(struct app *app, const char *path, const char *alt);
int cli_rerender(struct app *app);

/* audit.c: record an admin action in the audit log, inside the caller's
 * transaction when there is one. object_id 0: none. 0, or -1 (logged). */
int audit(struct req *r, const char *action, const char *object_type,
    long object_id, const char *label);

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
