#include "../core/common.h"
#include "sql.h"

#define USER_COLUMNS \
	"id, email, role, status, first_name, last_name, gender, " \
	"to_char(birth_date, 'YYYY-MM-DD'), coalesce(phone, ''), " \
	"coalesce(address_street, ''), coalesce(postal_code, ''), " \
	"coalesce(country, ''), coalesce(city_insee, ''), " \
	"coalesce(city_name, ''), to_char(created_at, 'DD/MM/YYYY')"

const struct stmt_def stmt_defs[STMT__MAX] = {
	[STMT_PING] = { "SELECT 1", 0 },
	[STMT_COUNTRIES] = {
		"SELECT code, name FROM countries ORDER BY position", 0 },
	[STMT_COMMUNES_BY_POSTAL] = {
		"SELECT insee_code, name FROM communes WHERE postal_code = $1 "
		"ORDER BY name, insee_code", 1 },
	[STMT_COMMUNE_CHECK] = {
		"SELECT name FROM communes "
		"WHERE postal_code = $1 AND insee_code = $2", 2 },
	[STMT_USER_EMAIL_TAKEN] = {
		"SELECT 1 FROM users WHERE lower(email) = lower($1)", 1 },
	[STMT_USER_INSERT] = {
		"INSERT INTO users (email, password_hash, first_name, last_name, "
		"gender, birth_date, phone, address_street, postal_code, country, "
		"city_insee, city_name, charter_accepted_at) VALUES (lower($1), "
		"$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now()) "
		"RETURNING id", 12 },
	[STMT_USER_AUTH] = {
		"SELECT id, password_hash, status, role, first_name FROM users "
		"WHERE lower(email) = lower($1)", 1 },
	[STMT_USER_BY_ID] = {
		"SELECT " USER_COLUMNS " FROM users WHERE id = $1", 1 },
	[STMT_USER_UPDATE_PROFILE] = {
		"UPDATE users SET first_name = $2, last_name = $3, gender = $4, "
		"birth_date = $5, phone = $6, address_street = $7, "
		"postal_code = $8, country = $9, city_insee = $10, "
		"city_name = $11, updated_at = now() WHERE id = $1", 11 },
	[STMT_USER_SET_PASSWORD] = {
		"UPDATE users SET password_hash = $2, updated_at = now() "
		"WHERE id = $1", 2 },
	[STMT_USER_LOGGED_IN] = {
		"UPDATE users SET last_login_at = now() WHERE id = $1", 1 },
	[STMT_USER_ACTIVATE] = {
		"UPDATE users SET status = 'active', activated_at = now(), "
		"updated_at = now() WHERE id = $1 AND status = 'pending'", 1 },
	[STMT_USER_DELETE] = {
		"DELETE FROM users WHERE id = $1 RETURNING "
		"coalesce(postal_code, ''), coalesce(country, ''), created_at", 1 },
	[STMT_USER_UPSERT_ADMIN] = {
		"INSERT INTO users (email, password_hash, first_name, last_name, "
		"role, status, activated_at, charter_accepted_at) VALUES "
		"(lower($1), $2, 'Admin', 'Civitas', 'admin', 'active', now(), "
		"now()) ON CONFLICT (lower(email)) DO UPDATE SET role = 'admin', "
		"status = 'active', password_hash = $2, "
		"activated_at = coalesce(users.activated_at, now()), "
		"updated_at = now() RETURNING id", 2 },
	[STMT_UNREGISTRATION_INSERT] = {
		"INSERT INTO unregistrations (postal_code, country, "
		"registered_at, reason) VALUES (nullif($1, ''), nullif($2, ''), "
		"$3, $4)", 4 },
	[STMT_TOKEN_INSERT] = {
		"INSERT INTO user_tokens (user_id, kind, token_hash, expires_at) "
		"VALUES ($1, $2, $3, now() + interval '24 hours')", 3 },
	[STMT_TOKEN_FIND] = {
		"SELECT t.id, t.user_id, t.used_at IS NOT NULL, "
		"t.expires_at < now(), u.status, u.email, u.first_name "
		"FROM user_tokens t JOIN users u ON u.id = t.user_id "
		"WHERE t.token_hash = $1 AND t.kind = $2 FOR UPDATE OF t", 2 },
	[STMT_TOKEN_USE] = {
		"UPDATE user_tokens SET used_at = now() "
		"WHERE id = $1 AND used_at IS NULL", 1 },
	[STMT_TOKENS_REVOKE] = {
		"UPDATE user_tokens SET used_at = now() "
		"WHERE user_id = $1 AND kind = $2 AND used_at IS NULL", 2 },
	[STMT_OUTBOX_INSERT] = {
		"INSERT INTO outbox (user_id, message_id, to_addr, subject, "
		"body_text) VALUES ($1, $2, $3, $4, $5)", 5 },
	[STMT_OUTBOX_CLAIM] = {
		"SELECT id, message_id, to_addr, subject, body_text, attempts "
		"FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= now() "
		"ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED", 0 },
	[STMT_OUTBOX_SENT] = {
		"UPDATE outbox SET sent_at = now(), attempts = attempts + 1, "
		"last_error = NULL WHERE id = $1", 1 },
	[STMT_OUTBOX_FAILED] = {
		"UPDATE outbox SET attempts = attempts + 1, last_error = $2, "
		"next_attempt_at = CASE WHEN $3::float8 < 0 THEN 'infinity' "
		"ELSE now() + make_interval(secs => $3::float8) END "
		"WHERE id = $1", 3 },
	[STMT_OUTBOX_NEXT_DUE] = {
		"SELECT coalesce(extract(epoch FROM min(next_attempt_at) - now()),"
		" 3600) FROM outbox WHERE sent_at IS NULL", 0 },
	[STMT_ADMIN_STATS] = {
		"SELECT count(*) FILTER (WHERE status = 'active'), "
		"count(*) FILTER (WHERE status = 'pending'), "
		"(SELECT count(*) FROM unregistrations), "
		"(SELECT count(*) FROM outbox WHERE sent_at IS NULL) FROM users", 0 },
#define STMT(name, n, text) [name] = { text, n },
#include "sql_content.def"
#include "sql_media.def"
#include "sql_admin.def"
#include "sql_public.def"
#undef STMT
};
