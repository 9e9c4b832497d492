/*
 * routes: the whole URL space of civitas, as data. Order matters only
 * between patterns that could both match (literals first).
 */
#include "../core/common.h"
#include "admin.h"
#include "campaigns.h"
#include "features.h"
#include "optout.h"
#include "convince.h"

/* The five routes of a back-office resource (admin.h) at path. */
#define RESOURCE(path, res) \
	{ HTTP_GET, path, resource_list_get, R_ADMIN, &res }, \
	{ HTTP_POST, path, resource_create_post, R_ADMIN, &res }, \
	{ HTTP_GET, path "/{id}", resource_edit_get, R_ADMIN, &res }, \
	{ HTTP_POST, path "/{id}", resource_update_post, R_ADMIN, &res }, \
	{ HTTP_POST, path "/{id}/delete", resource_delete_post, R_ADMIN, &res }

const struct route routes[] = {
	/* Public site: cookie-free, shared-cacheable (content.c, search.c);
	 * pages also kept by the workers (not search: it must be fresh at once,
	 * and its URLs are endless). */
	{ HTTP_GET, "/", home_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/articles", articles_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/articles/category/{slug}", category_get,
	    R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/articles/{slug}", article_get,
	    R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/pages/{slug}", page_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/feed.xml", feed_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/sitemap.xml", sitemap_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/robots.txt", robots_get, R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/search", search_get, R_CACHEABLE },
	{ HTTP_GET, "/api/search", api_search_get, R_JSON | R_CACHEABLE },
	/* Images: /img/{signature}/{id}-{preset}.{jpg|webp} (media.c). */
	{ HTTP_GET, "/img/{sig}/{file}", img_get, R_CACHEABLE },
	{ HTTP_GET, "/health", health_get, R_JSON | R_ALWAYS },
	/* Campaign mail: the signed unsubscribe link (GET: one button; POST:
	 * the button or RFC 8058 one-click) and the providers' signed bounce
	 * reports (unsubscribe.c, bounces.c). */
	{ HTTP_GET, "/unsubscribe/{token}", unsubscribe_get, R_ALWAYS },
	{ HTTP_POST, "/unsubscribe/{token}", unsubscribe_post,
	    R_NOCSRF | R_ALWAYS },
	{ HTTP_POST, "/webhooks/bounces", bounces_webhook_post,
	    R_JSON | R_NOCSRF | R_ALWAYS },
	{ HTTP_GET, "/api/cities", cities_get, R_JSON | R_CACHEABLE },

	{ HTTP_GET, "/signup", signup_get, R_SESSION },
	{ HTTP_POST, "/signup", signup_post, R_SESSION },
	{ HTTP_GET, "/signup/done", signup_done_get, 0 },
	{ HTTP_GET, "/signup/resend", signup_resend_get, 0 },
	{ HTTP_POST, "/signup/resend", signup_resend_post, 0 },
	{ HTTP_GET, "/signup/confirm/{token}", signup_confirm_get, 0 },

	{ HTTP_GET, "/login", login_get, R_SESSION },
	{ HTTP_POST, "/login", login_post, R_SESSION },
	{ HTTP_POST, "/logout", logout_post, R_SESSION | R_ALWAYS },
	{ HTTP_GET, "/password/forgot", forgot_get, 0 },
	{ HTTP_POST, "/password/forgot", forgot_post, 0 },
	{ HTTP_GET, "/password/reset/{token}", reset_get, 0 },
	{ HTTP_POST, "/password/reset/{token}", reset_post, 0 },

	{ HTTP_GET, "/account", account_get, R_AUTH },
	{ HTTP_POST, "/account", account_post, R_AUTH },
	{ HTTP_POST, "/account/password", account_password_post, R_AUTH },
	{ HTTP_GET, "/account/delete", account_delete_get, R_AUTH },
	{ HTTP_POST, "/account/delete", account_delete_post, R_AUTH },
	{ HTTP_GET, "/account/deleted", account_deleted_get, 0 },
	/* consent (consent.c, newsletter.c): a member's e-mails and their
	 * ledger; the newsletter of people without an account. */
	{ HTTP_GET, "/account/notifications", account_notifications_get,
	    R_AUTH },
	{ HTTP_POST, "/account/notifications", account_notifications_post,
	    R_AUTH },
	{ HTTP_POST, "/account/notifications/stop",
	    account_notifications_stop_post, R_AUTH },
	{ HTTP_POST, "/account/notifications/resume",
	    account_notifications_resume_post, R_AUTH },
	{ HTTP_GET, "/newsletter", newsletter_get, 0 },
	{ HTTP_POST, "/newsletter", newsletter_post, 0 },
	{ HTTP_GET, "/newsletter/sent", newsletter_sent_get, 0 },
	{ HTTP_GET, "/newsletter/confirm/{token}", newsletter_confirm_get, 0 },
	{ HTTP_POST, "/newsletter/confirm/{token}", newsletter_confirm_post,
	    0 },
	{ HTTP_GET, "/newsletter/unsubscribe", newsletter_unsubscribe_get, 0 },
	{ HTTP_POST, "/newsletter/unsubscribe", newsletter_unsubscribe_post,
	    0 },
	{ HTTP_GET, "/newsletter/unsubscribe/{token}", newsletter_leave_get,
	    R_ALWAYS },
	{ HTTP_POST, "/newsletter/unsubscribe/{token}", newsletter_leave_post,
	    R_ALWAYS },
	/* end of consent */

	/* Back-office (admin.h): each resource's row is route.data; the
	 * generic handlers are admin_resource.c's. */
	{ HTTP_GET, "/admin", admin_get, R_ADMIN },
	{ HTTP_GET, "/admin/audit", resource_list_get, R_ADMIN, &admin_audit },
	{ HTTP_POST, "/admin/preview", admin_preview_post, R_ADMIN },

	{ HTTP_GET, "/admin/articles", resource_list_get, R_ADMIN,
	    &admin_articles },
	{ HTTP_GET, "/admin/articles/new", editor_new, R_ADMIN,
	    &article_editor },
	{ HTTP_POST, "/admin/articles", editor_new, R_ADMIN, &article_editor },
	{ HTTP_GET, "/admin/articles/{id}", editor_edit, R_ADMIN,
	    &article_editor },
	{ HTTP_POST, "/admin/articles/{id}", editor_edit, R_ADMIN,
	    &article_editor },
	{ HTTP_GET, "/admin/articles/{id}/preview", admin_article_preview_get,
	    R_ADMIN },
	{ HTTP_POST, "/admin/articles/{id}/delete", resource_delete_post,
	    R_ADMIN, &admin_articles },

	{ HTTP_GET, "/admin/pages", resource_list_get, R_ADMIN, &admin_pages },
	{ HTTP_GET, "/admin/pages/new", editor_new, R_ADMIN, &page_editor },
	{ HTTP_POST, "/admin/pages", editor_new, R_ADMIN, &page_editor },
	{ HTTP_GET, "/admin/pages/{id}", editor_edit, R_ADMIN, &page_editor },
	{ HTTP_POST, "/admin/pages/{id}", editor_edit, R_ADMIN, &page_editor },
	{ HTTP_GET, "/admin/pages/{id}/preview", admin_page_preview_get,
	    R_ADMIN },
	{ HTTP_POST, "/admin/pages/{id}/delete", resource_delete_post,
	    R_ADMIN, &admin_pages },

	RESOURCE("/admin/categories", admin_categories),
	RESOURCE("/admin/home-blocks", admin_blocks),
	RESOURCE("/admin/redirections", admin_redirections),

	{ HTTP_GET, "/admin/media", resource_list_get, R_ADMIN, &admin_media },
	{ HTTP_POST, "/admin/media", admin_media_upload_post,
	    R_ADMIN | R_UPLOAD },
	{ HTTP_GET, "/admin/media/{id}", admin_media_item_get, R_ADMIN },
	{ HTTP_POST, "/admin/media/{id}", admin_media_item_post, R_ADMIN },
	{ HTTP_POST, "/admin/media/{id}/delete", resource_delete_post,
	    R_ADMIN, &admin_media },

	/* calendar (calendar.c): public and cacheable like the pages. The
	 * .ics row must come before "/events/{slug}", which would take
	 * "x.ics" as a slug. */
	{ HTTP_GET, "/events/{slug}.ics", event_ics_get,
	    R_CACHEABLE | R_PAGECACHE },
	{ HTTP_GET, "/committees/{slug}/events.ics", committee_ics_get,
	    R_CACHEABLE | R_PAGECACHE },

	/* events (events.c, events_public.c, event_rsvp.c, admin_events.c) */
	{ HTTP_GET, "/events", events_get,
	    R_CACHEABLE | R_PAGECACHE | R_BRIEF },
	{ HTTP_GET, "/api/events", api_events_get, R_JSON | R_CACHEABLE },
	{ HTTP_GET, "/events/cancel/{token}", event_unregister_get, 0 },
	{ HTTP_POST, "/events/cancel/{token}", event_unregister_post, 0 },
	{ HTTP_GET, "/events/{slug}", event_get,
	    R_CACHEABLE | R_PAGECACHE | R_BRIEF },
	{ HTTP_GET, "/events/{slug}/rsvp", event_rsvp_get, R_SESSION },
	{ HTTP_POST, "/events/{slug}/rsvp", event_rsvp_post, R_SESSION },
	{ HTTP_GET, "/events/{slug}/edit", event_edit, R_AUTH },
	{ HTTP_POST, "/events/{slug}/edit", event_edit, R_AUTH },
	{ HTTP_GET, "/events/{slug}/cancel", event_cancel, R_AUTH },
	{ HTTP_POST, "/events/{slug}/cancel", event_cancel, R_AUTH },
	{ HTTP_GET, "/committees/{slug}/events/new", committee_event_new,
	    R_AUTH },
	{ HTTP_POST, "/committees/{slug}/events/new", committee_event_new,
	    R_AUTH },
	{ HTTP_GET, "/admin/events", resource_list_get, R_ADMIN,
	    &admin_events },
	{ HTTP_GET, "/admin/events/new", admin_event_new, R_ADMIN },
	{ HTTP_POST, "/admin/events/new", admin_event_new, R_ADMIN },
	RESOURCE("/admin/event-categories", admin_event_categories),
	/* end of events */
	/* committees: creation, moderation, public pages, following
	 * (committees.c, committees_public.c, admin_committees.c). The
	 * directory and its API are cookie-free; a committee's page loads
	 * the session and is public only for anonymous visitors. */
	{ HTTP_GET, "/committees", committees_get,
	    R_CACHEABLE | R_PAGECACHE | R_BRIEF },
	{ HTTP_GET, "/api/committees", api_committees_get,
	    R_JSON | R_CACHEABLE },
	{ HTTP_GET, "/committees/new", committee_new_get, R_AUTH },
	{ HTTP_POST, "/committees/new", committee_new_post,
	    R_AUTH | R_UPLOAD },
	{ HTTP_GET, "/committees/{slug}", committee_get, R_SESSION | R_PUBLIC },
	{ HTTP_POST, "/committees/{slug}/follow", committee_follow_post,
	    R_SESSION },
	{ HTTP_POST, "/committees/{slug}/unfollow", committee_unfollow_post,
	    R_SESSION },
	{ HTTP_POST, "/committees/{slug}/preferences",
	    committee_preferences_post, R_SESSION },
	{ HTTP_GET, "/committees/{slug}/manage/edit", committee_edit,
	    R_AUTH },
	{ HTTP_POST, "/committees/{slug}/manage/edit", committee_edit,
	    R_AUTH | R_UPLOAD },
	{ HTTP_GET, "/admin/committees", resource_list_get, R_ADMIN,
	    &admin_committees },
	{ HTTP_GET, "/admin/committees/{id}", admin_committee_get, R_ADMIN },
	{ HTTP_POST, "/admin/committees/{id}/approve",
	    admin_committee_approve_post, R_ADMIN },
	{ HTTP_POST, "/admin/committees/{id}/refuse",
	    admin_committee_refuse_post, R_ADMIN },
	{ HTTP_POST, "/admin/committees/{id}/delete", resource_delete_post,
	    R_ADMIN, &admin_committees },
	/* end committees */
	/* host tools (manage): committee_manage.c, event_manage.c; each
	 * handler checks the member's role in *this* committee or event. */
	{ HTTP_GET, "/committees/{slug}/manage", committee_manage_get, R_AUTH },
	{ HTTP_GET, "/committees/{slug}/manage/members", committee_members_get,
	    R_AUTH },
	{ HTTP_GET, "/committees/{slug}/manage/members.csv",
	    committee_members_csv_get, R_AUTH },
	{ HTTP_POST, "/committees/{slug}/manage/members/{id}/promote",
	    committee_member_promote_post, R_AUTH },
	{ HTTP_POST, "/committees/{slug}/manage/members/{id}/demote",
	    committee_member_demote_post, R_AUTH },
	{ HTTP_GET, "/committees/{slug}/manage/contact", committee_contact,
	    R_AUTH },
	{ HTTP_POST, "/committees/{slug}/manage/contact", committee_contact,
	    R_AUTH },
	{ HTTP_GET, "/committees/{slug}/manage/messages",
	    committee_messages, R_AUTH },
	{ HTTP_POST, "/committees/{slug}/manage/messages",
	    committee_messages, R_AUTH },
	{ HTTP_GET, "/committees/{slug}/manage/messages/{id}",
	    committee_message, R_AUTH },
	{ HTTP_POST, "/committees/{slug}/manage/messages/{id}",
	    committee_message, R_AUTH },
	{ HTTP_POST, "/committees/{slug}/manage/messages/{id}/delete",
	    committee_message_delete_post, R_AUTH },
	{ HTTP_GET, "/events/{slug}/manage", event_manage_get, R_AUTH },
	{ HTTP_GET, "/events/{slug}/manage/checkin", event_checkin_get,
	    R_AUTH },
	{ HTTP_POST, "/events/{slug}/manage/checkin/{id}", event_checkin_post,
	    R_AUTH },
	{ HTTP_GET, "/events/{slug}/manage/registrations.csv",
	    event_registrations_csv_get, R_AUTH },
	{ HTTP_GET, "/events/{slug}/manage/contact", event_contact, R_AUTH },
	{ HTTP_POST, "/events/{slug}/manage/contact", event_contact, R_AUTH },
	{ HTTP_GET, "/events/{slug}/invite", event_invite_get, R_AUTH },
	{ HTTP_POST, "/events/{slug}/invite", event_invite_post, R_AUTH },
	/* end of host tools (manage) */
	/* campaigns (campaigns.c, campaigns_send.c, admin_referents.c): the
	 * same screens for three senders, the kind as route.data; each
	 * handler checks the scope (referent, host of *this* committee) and
	 * that the campaign {id} is in it. */
#define CAMPAIGN_ROUTES(base, flags, kind) \
	{ HTTP_GET, base, campaigns_list_get, flags, &kind }, \
	{ HTTP_GET, base "/new", campaign_new, flags, &kind }, \
	{ HTTP_POST, base "/new", campaign_new, flags, &kind }, \
	{ HTTP_GET, base "/{id}", campaign_get, flags, &kind }, \
	{ HTTP_GET, base "/{id}/edit", campaign_edit, flags, &kind }, \
	{ HTTP_POST, base "/{id}/edit", campaign_edit, flags, &kind }, \
	{ HTTP_GET, base "/{id}/progress", campaign_progress_get, \
	    flags | R_JSON, &kind }, \
	{ HTTP_GET, base "/{id}/preview", campaign_preview_get, flags, &kind }, \
	{ HTTP_GET, base "/{id}/failures", campaign_failures_get, flags, \
	    &kind }, \
	{ HTTP_POST, base "/{id}/test", campaign_test_post, flags, &kind }, \
	{ HTTP_POST, base "/{id}/send", campaign_send_post, flags, &kind }, \
	{ HTTP_POST, base "/{id}/schedule", campaign_schedule_post, flags, \
	    &kind }, \
	{ HTTP_POST, base "/{id}/pause", campaign_pause_post, flags, &kind }, \
	{ HTTP_POST, base "/{id}/resume", campaign_resume_post, flags, \
	    &kind }, \
	{ HTTP_POST, base "/{id}/cancel", campaign_cancel_post, flags, &kind }
	CAMPAIGN_ROUTES("/admin/campaigns", R_ADMIN, campaigns_admin),
	CAMPAIGN_ROUTES("/referent/campaigns", R_AUTH, campaigns_referent),
	CAMPAIGN_ROUTES("/committees/{slug}/manage/campaigns", R_AUTH,
	    campaigns_host),
#undef CAMPAIGN_ROUTES
	{ HTTP_GET, "/admin/referents", admin_referents_get, R_ADMIN },
	{ HTTP_POST, "/admin/referents", admin_referents_post, R_ADMIN },
	{ HTTP_POST, "/admin/referents/{id}/revoke", admin_referent_revoke_post,
	    R_ADMIN },
	/* end of campaigns */
	/* donations (donations.c, donations_notify.c, donations_account.c):
	 * the notification is the provider's GET, proven by its RSA
	 * signature (no session, no CSRF: no browser sends it). */
	{ HTTP_GET, "/donate", donate_get, R_DONATION },
	{ HTTP_GET, "/donate/details", donate_details_get,
	    R_SESSION | R_DONATION },
	{ HTTP_POST, "/donate/details", donate_details_post,
	    R_SESSION | R_DONATION },
	/* The provider's notification records the money: never closed. */
	{ HTTP_GET, "/donate/notify", donate_notify_get, R_ALWAYS },
	{ HTTP_GET, "/donate/{uuid}/pay", donate_pay_get, R_DONATION },
	{ HTTP_GET, "/donate/{uuid}/return", donate_return_get, R_DONATION },
	{ HTTP_GET, "/account/donations", account_donations_get, R_AUTH },
	{ HTTP_POST, "/account/donations/{uuid}/stop",
	    account_donation_stop_post, R_AUTH },
	/* end of donations */
	/* tax receipts (receipts.c; donations, issue 10): the member's PDF
	 * of a year, and the signed link of the thank-you mail. */
	{ HTTP_GET, "/account/donations/receipts/{year}", receipt_account_get,
	    R_AUTH },
	{ HTTP_GET, "/receipts/{token}", receipt_token_get, 0 },
	/* end of tax receipts */
	/* Opt-out of unrequested mail (optout.c, issue 10): the signed link
	 * of a friend's or an invitee's mail; GET one button, POST (CSRF). */
	{ HTTP_GET, "/optout/{token}", optout_get, R_ALWAYS },
	{ HTTP_POST, "/optout/{token}", optout_post, R_ALWAYS },
	/* end of opt-out */
	/* "Convaincre un ami" (convince.c, admin_convince.c, issue 10): the
	 * workflow's steps (state in Redis, core/wf_convince.c) and the
	 * back-office of its choices. */
	{ HTTP_GET, "/convince", convince_get, 0 },
	{ HTTP_POST, "/convince", convince_post, 0 },
	{ HTTP_POST, "/convince/recommencer", convince_restart_post, 0 },
	{ HTTP_GET, "/convince/sent", convince_sent_get, 0 },
	{ HTTP_GET, "/admin/convince.csv", admin_convince_csv_get, R_ADMIN },
	{ HTTP_GET, "/admin/convince", resource_list_get, R_ADMIN,
	    &admin_convince },
	{ HTTP_POST, "/admin/convince", resource_create_post, R_ADMIN,
	    &admin_convince },
	{ HTTP_GET, "/admin/convince/{id}", resource_edit_get, R_ADMIN,
	    &admin_convince },
	{ HTTP_POST, "/admin/convince/{id}", resource_update_post, R_ADMIN,
	    &admin_convince },
	/* end of convince */
	/* Invitations to join (invite.c, issue 10): a member or a visitor;
	 * the donations' back-office (admin_donations.c). The .csv row comes
	 * before "/admin/donations/{id}". */
	{ HTTP_GET, "/invite", invite_get, R_SESSION },
	{ HTTP_POST, "/invite", invite_post, R_SESSION },
	{ HTTP_GET, "/admin/donations", admin_donations_get, R_ADMIN },
	{ HTTP_GET, "/admin/donations.csv", admin_donations_csv_get, R_ADMIN },
	{ HTTP_GET, "/admin/donations/{id}", admin_donation_get, R_ADMIN },
	{ HTTP_POST, "/admin/donations/{id}/refund",
	    admin_donation_refund_post, R_ADMIN },
	/* end of invitations to join, donations' back-office */
	/* organisations (issue 11, helper A: organisations.c,
	 * organisation_pages.c, organisation_moderation.c): the wizard (its
	 * state in PostgreSQL), the public page, managers and invitations,
	 * moderation by referents and admins. Each handler checks the
	 * viewer's roles on *that* organisation (volunteer.h). */
	{ HTTP_GET, "/organisations/new", organisation_new_get, R_AUTH },
	{ HTTP_POST, "/organisations/new", organisation_new_post,
	    R_AUTH | R_UPLOAD },
	{ HTTP_GET, "/organisations/join/{token}", organisation_join_get,
	    R_SESSION },
	{ HTTP_POST, "/organisations/join/{token}", organisation_join_post,
	    R_AUTH },
	{ HTTP_GET, "/organisations/{slug}", organisation_get,
	    R_SESSION | R_PUBLIC },
	{ HTTP_GET, "/organisations/{slug}/manage", organisation_manage_get,
	    R_AUTH },
	{ HTTP_POST, "/organisations/{slug}/managers", organisation_invite_post,
	    R_AUTH },
	{ HTTP_POST, "/organisations/{slug}/managers/{id}/remove",
	    organisation_manager_remove_post, R_AUTH },
	{ HTTP_GET, "/account/organisations", account_organisations_get,
	    R_AUTH },
	{ HTTP_GET, "/moderation/organisations", moderation_organisations_get,
	    R_AUTH },
	{ HTTP_GET, "/moderation/organisations/{id}",
	    moderation_organisation_get, R_AUTH },
	{ HTTP_POST, "/moderation/organisations/{id}",
	    moderation_organisation_post, R_AUTH },
	/* end of organisations */
	/* missions (issue 11, part B: missions.c, mission_state.c,
	 * missions_public.c). The search and its API are cookie-free; the
	 * search's page shows no places left, so the workers keep it (a
	 * change of a mission notifies them; 5 s at most, for missions that
	 * end); the API and a mission's page show places left: never kept
	 * by the workers. A mission's page loads the session (its managers'
	 * and moderators' buttons). */
	{ HTTP_GET, "/missions", missions_get,
	    R_CACHEABLE | R_PAGECACHE | R_BRIEF },
	{ HTTP_GET, "/api/missions", api_missions_get, R_JSON | R_CACHEABLE },
	{ HTTP_GET, "/missions/{slug}", mission_get, R_SESSION | R_PUBLIC },
	{ HTTP_GET, "/missions/{slug}/edit", mission_edit, R_AUTH },
	{ HTTP_POST, "/missions/{slug}/edit", mission_edit, R_AUTH },
	{ HTTP_POST, "/missions/{slug}/state", mission_state_post, R_AUTH },
	{ HTTP_GET, "/organisations/{slug}/missions", org_missions_get,
	    R_AUTH },
	{ HTTP_GET, "/organisations/{slug}/missions/new", mission_new,
	    R_AUTH },
	{ HTTP_POST, "/organisations/{slug}/missions/new", mission_new,
	    R_AUTH },
	{ HTTP_GET, "/moderation/missions", moderation_missions_get, R_AUTH },
	{ HTTP_POST, "/moderation/missions/{slug}", moderation_mission_post,
	    R_AUTH },
	/* end of missions */
	/* the member's data (export.c, issue 11, part D): the GDPR export,
	 * as a page and as a JSON file. */
	{ HTTP_GET, "/account/export", export_get, R_AUTH },
	{ HTTP_GET, "/account/export.json", export_json_get, R_AUTH | R_JSON },
	/* end of the member's data */
	/* volunteer applications (applications.c, applications_manage.c;
	 * issue 11, part C): each handler finds its object with the
	 * viewer's roles on it (volunteer.h). Pages showing places left are
	 * never kept by the workers (no R_PAGECACHE). */
	{ HTTP_GET, "/missions/{slug}/apply", apply_get, R_AUTH },
	{ HTTP_POST, "/missions/{slug}/apply", apply_post, R_AUTH },
	{ HTTP_GET, "/applications/{id}", application_get, R_AUTH },
	{ HTTP_POST, "/applications/{id}/messages", application_message_post,
	    R_AUTH },
	{ HTTP_POST, "/applications/{id}/state", application_state_post,
	    R_AUTH },
	{ HTTP_GET, "/account/missions", account_missions_get, R_AUTH },
	{ HTTP_GET, "/organisations/{slug}/applications.csv",
	    org_applications_csv_get, R_AUTH },
	{ HTTP_GET, "/organisations/{slug}/applications",
	    org_applications_get, R_AUTH },
	{ HTTP_POST, "/organisations/{slug}/applications/bulk",
	    org_applications_bulk_post, R_AUTH },
	/* end of volunteer applications */

	/* degraded mode (mode.c, issue 13) */
	{ HTTP_GET, "/admin/mode", admin_mode_get, R_ADMIN },
	{ HTTP_POST, "/admin/mode", admin_mode_post, R_ADMIN },
	/* end of degraded mode */
	/* metrics (scrape.c, issue 13, section 3): Prometheus' scrape,
	 * internal addresses only (nginx's location = /metrics too); never
	 * cached by anyone. */
	{ HTTP_GET, "/metrics", metrics_get, R_ALWAYS },
	/* end of metrics */
	/* the back-office second factor (totp.c; issue 13, admin accounts):
	 * the only R_ADMIN pages open before it. The enrolment's {id} is the
	 * link's token (the back-office's patterns name their parameter id
	 * or slug; the handler reads it as a token, never as a number). */
	{ HTTP_GET, "/admin/2fa", totp_verify_get, R_ADMIN | R_SECOND_FACTOR },
	{ HTTP_POST, "/admin/2fa", totp_verify_post,
	    R_ADMIN | R_SECOND_FACTOR },
	{ HTTP_GET, "/admin/2fa/enrol/{id}", totp_enrol_get,
	    R_ADMIN | R_SECOND_FACTOR },
	{ HTTP_POST, "/admin/2fa/enrol/{id}", totp_enrol_post,
	    R_ADMIN | R_SECOND_FACTOR },
	/* end of the back-office second factor */
};

const size_t nroutes = ARRAY_SIZE(routes);
