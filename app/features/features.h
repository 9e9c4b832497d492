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
#include "members.h"

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
/* A list's pages: prev and next ("" for none) into v, into <head> as rel
 * prev/next, and the links (views/pagination.html) as v's raw
 * "pagination". 0, or -1 on a template error. */
int pagination(struct req *r, struct view *v, const char *prev,
    const char *next, long page, long pages);
/* A list's ?page=N: 1 when absent, 0 when malformed (a 404). */
long query_page(struct req *r);
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

/* The back-office (admin.h: its resources and their generic handlers). */
int admin_get(struct req *r);
int admin_preview_post(struct req *r);
int admin_article_preview_get(struct req *r);	/* in content.c */
int admin_page_preview_get(struct req *r);	/* in content.c */

/* media.c: images, served and managed. */
int img_get(struct req *r);
int admin_media_upload_post(struct req *r);
int admin_media_item_get(struct req *r);
int admin_media_item_post(struct req *r);

/* routes.c: the whole URL space. */
extern const struct route routes[];
extern const size_t nroutes;

/* Command line (main.c): cli.c, media.c and admin.c. */
int cli_admin(struct app *app, const char *email);
int cli_hash(void);
int cli_media_import(struct app *app, const char *path, const char *alt);
int cli_rerender(struct app *app);

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

/* A page with a title, a message and an optional link. */
int message_page(struct req *r, int status, const char *title,
    const char *message, const char *link, const char *link_label);

/* calendar: calendar.c (event_ics() is in events.h). */
int event_ics_get(struct req *r);
int committee_ics_get(struct req *r);

/* events (events.c, events_public.c, event_rsvp.c, admin_events.c) */
int events_get(struct req *r);
int event_get(struct req *r);
int api_events_get(struct req *r);
int event_rsvp_get(struct req *r);
int event_rsvp_post(struct req *r);
int event_unregister_get(struct req *r);
int event_unregister_post(struct req *r);
int event_edit(struct req *r);
int event_cancel(struct req *r);
int committee_event_new(struct req *r);
int admin_event_new(struct req *r);
struct resource;
extern const struct resource admin_event_categories, admin_events;
/* end of events */
/* committees: creation, moderation, public pages, following
 * (committees.c, committees_public.c, admin_committees.c). */
int committees_get(struct req *r);
int api_committees_get(struct req *r);
int committee_get(struct req *r);
int committee_new_get(struct req *r);
int committee_new_post(struct req *r);
int committee_edit(struct req *r);
int committee_follow_post(struct req *r);
int committee_unfollow_post(struct req *r);
int committee_preferences_post(struct req *r);
int admin_committee_get(struct req *r);
int admin_committee_approve_post(struct req *r);
int admin_committee_refuse_post(struct req *r);
extern const struct resource admin_committees;	/* admin.h */
/* end committees */

/* host tools (manage): committee_manage.c, event_manage.c. */
int committee_manage_get(struct req *r);
int committee_members_get(struct req *r);
int committee_members_csv_get(struct req *r);
int committee_member_promote_post(struct req *r);
int committee_member_demote_post(struct req *r);
int committee_contact(struct req *r);
int committee_messages(struct req *r);
int committee_message(struct req *r);
int committee_message_delete_post(struct req *r);
int event_manage_get(struct req *r);
int event_checkin_get(struct req *r);
int event_checkin_post(struct req *r);
int event_registrations_csv_get(struct req *r);
int event_contact(struct req *r);
int event_invite_get(struct req *r);
int event_invite_post(struct req *r);
/* end of host tools (manage) */

/* consent: a member's e-mails and their ledger (consent.c), the
 * newsletter of people without an account (newsletter.c). */
int account_notifications_get(struct req *r);
int account_notifications_post(struct req *r);
int account_notifications_stop_post(struct req *r);
int account_notifications_resume_post(struct req *r);
int newsletter_get(struct req *r);
int newsletter_post(struct req *r);
int newsletter_sent_get(struct req *r);
int newsletter_confirm_get(struct req *r);
int newsletter_confirm_post(struct req *r);
int newsletter_unsubscribe_get(struct req *r);
int newsletter_unsubscribe_post(struct req *r);
int newsletter_leave_get(struct req *r);
int newsletter_leave_post(struct req *r);
/* end of consent */
/* bounces and unsubscribing: unsubscribe.c, bounces.c, cli.c (inbound). */
int unsubscribe_get(struct req *r);
int unsubscribe_post(struct req *r);
int bounces_webhook_post(struct req *r);
/* Unsubscribe recipient rid of campaign cid (README, "What unsubscribing
 * does"): 1 done (or already done), 0 no such recipient, -1 PostgreSQL
 * failed. */
int unsubscribe_recipient(struct db *db, struct arena *a, long cid, long rid);
int cli_inbound(struct app *app, const char *address);
int cli_mail_token(struct app *app, const char *purpose, const char *cid,
    const char *rid);
/* end of bounces */
/* campaigns (campaigns.c, campaigns_send.c, admin_referents.c; the
 * sender kinds are campaigns.h's). */
int campaigns_list_get(struct req *r);
int campaign_new(struct req *r);
int campaign_edit(struct req *r);
int campaign_get(struct req *r);
int campaign_progress_get(struct req *r);
int campaign_preview_get(struct req *r);
int campaign_failures_get(struct req *r);
int campaign_test_post(struct req *r);
int campaign_send_post(struct req *r);
int campaign_schedule_post(struct req *r);
int campaign_pause_post(struct req *r);
int campaign_resume_post(struct req *r);
int campaign_cancel_post(struct req *r);
int admin_referents_get(struct req *r);
int admin_referents_post(struct req *r);
int admin_referent_revoke_post(struct req *r);
/* end of campaigns */
/* donations (donations.c, donations_notify.c, donations_account.c) */
int donate_get(struct req *r);
int donate_details_get(struct req *r);
int donate_details_post(struct req *r);
int donate_pay_get(struct req *r);
int donate_return_get(struct req *r);
int donate_notify_get(struct req *r);
int account_donations_get(struct req *r);
int account_donation_stop_post(struct req *r);
/* end of donations */

/* tax receipts (receipts.c; donations, issue 10) */
int receipt_account_get(struct req *r);
int receipt_token_get(struct req *r);
int cli_receipt(struct app *app, const char *year, const char *number);
/* The signed download link of receipt id of year into out:
 * BASE_URL/receipts/<mail_token(key, "receipt", id, year)>. */
void receipt_link(const unsigned char key[32], const char *base_url, long id,
    int year, char *out, size_t n);
#define RECEIPT_LINK_MAX (256 + MAIL_TOKEN_MAX)
/* end of tax receipts */
/* invitations to join, the donations' back-office (invite.c,
 * admin_donations.c; issue 10) */
int invite_get(struct req *r);
int invite_post(struct req *r);
int admin_donations_get(struct req *r);
int admin_donations_csv_get(struct req *r);
int admin_donation_get(struct req *r);
int admin_donation_refund_post(struct req *r);
/* end of invitations to join, donations' back-office */
/* missions (issue 11, part B: missions.c, mission_state.c,
 * missions_public.c, mission_cli.c) */
int mission_new(struct req *r);
int mission_edit(struct req *r);
int org_missions_get(struct req *r);
int mission_state_post(struct req *r);
int moderation_missions_get(struct req *r);
int moderation_mission_post(struct req *r);
int missions_get(struct req *r);
int api_missions_get(struct req *r);
int mission_get(struct req *r);
int cli_missions_complete(struct app *app);
/* end of missions */

/* organisations (issue 11, helper A): organisations.c,
 * organisation_pages.c, organisation_moderation.c. */
int organisation_new_get(struct req *r);
int organisation_new_post(struct req *r);
int account_organisations_get(struct req *r);
int organisation_get(struct req *r);
int organisation_manage_get(struct req *r);
int organisation_invite_post(struct req *r);
int organisation_manager_remove_post(struct req *r);
int organisation_join_get(struct req *r);
int organisation_join_post(struct req *r);
int moderation_organisations_get(struct req *r);
int moderation_organisation_get(struct req *r);
int moderation_organisation_post(struct req *r);
/* end of organisations */
/* the member's data (export.c, issue 11, part D) */
int export_get(struct req *r);
int export_json_get(struct req *r);
/* end of the member's data */

/* volunteer applications (applications.c, applications_manage.c;
 * issue 11, part C) */
int apply_get(struct req *r);
int apply_post(struct req *r);
int application_get(struct req *r);
int application_message_post(struct req *r);
int application_state_post(struct req *r);
int account_missions_get(struct req *r);
int org_applications_get(struct req *r);
int org_applications_bulk_post(struct req *r);
int org_applications_csv_get(struct req *r);
/* end of volunteer applications */

/* degraded mode (mode.c, issue 13) */
#define MODE_CHANNEL "civitas_mode"
int degraded_now(struct req *r);
int degraded_refused(struct req *r);
int degraded_gauge(const struct app *app);	/* /metrics */
int admin_mode_get(struct req *r);
int admin_mode_post(struct req *r);
int cli_degrade(struct app *app, const char *arg);
int mode_follow(struct app *app);
/* end of degraded mode */
/* the read replica (replica.c, issue 13) */
void replica_choose(struct req *r);
/* metrics (scrape.c, issue 13, section 3): GET /metrics */
int metrics_get(struct req *r);
/* end of metrics */
/* the back-office second factor (totp.c; issue 13, admin accounts) */
int totp_verify_get(struct req *r);
int totp_verify_post(struct req *r);
int totp_enrol_get(struct req *r);
int totp_enrol_post(struct req *r);
/* A new enrolment link for the admin uid (the links not used yet are
 * replaced), its URL into *link (in a): 0, or -1 (PostgreSQL). */
int totp_enrol_link(struct app *app, struct arena *a, const char *uid,
    const char **link);
/* end of the back-office second factor */

#endif
