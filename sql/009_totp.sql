-- Back-office second factor (issue 13, section 6, admin accounts): TOTP
-- (RFC 6238) for every admin, enrolled through a single-use link that
-- `civitas-fcgi admin EMAIL` prints, ten single-use recovery codes.
--
-- Secrets are sealed at rest: secret_box is a libsodium secretbox (nonce,
-- then MAC and ciphertext) under a key derived from APP_SECRET and the
-- admin's id (infra/crypto.h, secret_seal): a database dump alone gives
-- no code, and a box copied to another admin's row does not open.
-- Changing APP_SECRET makes every admin enrol again.

-- The admin's authenticator. last_step is the last 30-second step whose
-- code was accepted: a code is accepted once, by a compare-and-set
-- (UPDATE ... WHERE last_step < $step), never read then written.
CREATE TABLE admin_totp (
	user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	secret_box bytea NOT NULL,
	last_step bigint NOT NULL DEFAULT 0,
	enrolled_at timestamptz NOT NULL DEFAULT now()
);

-- Ten per admin, each used once (DELETE ... RETURNING). Only a keyed hash
-- (HMAC-SHA256 under APP_SECRET, bound to the admin) is stored: the codes
-- are shown once, at enrolment.
CREATE TABLE admin_recovery_codes (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash text NOT NULL,
	PRIMARY KEY (user_id, code_hash)
);

-- Enrolment links: single use, 24 hours, only a keyed hash of the token
-- stored (as user_tokens). The secret being enrolled waits here, sealed,
-- until the admin types a code from it; then it moves to admin_totp and
-- is cleared from this row (used_at set). A new link replaces (deletes)
-- the links of the same admin not used yet.
CREATE TABLE admin_totp_enrolments (
	id bigserial PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash text NOT NULL UNIQUE,
	secret_box bytea,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours',
	used_at timestamptz
);
CREATE INDEX admin_totp_enrolments_user ON admin_totp_enrolments (user_id);
