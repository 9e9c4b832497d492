-- 001: reference data, members, tokens, the outbox.

CREATE TABLE countries (
	code char(2) PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
	name text NOT NULL,
	position integer NOT NULL
);

-- Communes of France by postal code (sql/data/communes.csv). INSEE and
-- postal codes are text: 01053 keeps its zero, Corsica is 2A/2B.
CREATE TABLE communes (
	postal_code text NOT NULL CHECK (postal_code ~ '^[0-9]{5}$'),
	insee_code text NOT NULL CHECK (insee_code ~ '^[0-9][0-9AB][0-9]{3}$'),
	name text NOT NULL,
	PRIMARY KEY (postal_code, insee_code)
);

CREATE TABLE users (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	email text NOT NULL CHECK (email = lower(email) AND length(email) <= 255),
	password_hash text NOT NULL,
	first_name text NOT NULL,
	last_name text NOT NULL,
	-- Profile fields are required by the sign-up form (checked in C);
	-- an admin created with `make admin` may have none yet.
	gender text CHECK (gender IN ('female', 'male', 'other')),
	birth_date date,
	phone text,
	address_street text,
	postal_code text,
	country char(2) REFERENCES countries (code),
	city_insee text,
	city_name text,
	role text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
	status text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'active')),
	charter_accepted_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	activated_at timestamptz,
	updated_at timestamptz NOT NULL DEFAULT now(),
	last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Single-use links (confirmation, password reset). Only an HMAC of the
-- token is stored: a copy of the database does not hold usable links.
CREATE TABLE user_tokens (
	id bigserial PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('confirm', 'reset')),
	token_hash text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, kind);

-- What remains of a deleted account: nothing that identifies a person.
CREATE TABLE unregistrations (
	id bigserial PRIMARY KEY,
	postal_code text,
	country char(2),
	registered_at timestamptz NOT NULL,
	unregistered_at timestamptz NOT NULL DEFAULT now(),
	reason text NOT NULL
);

-- Mail to deliver (jobs/mailer.c). Rows of a deleted member go with them.
CREATE TABLE outbox (
	id bigserial PRIMARY KEY,
	user_id bigint REFERENCES users (id) ON DELETE CASCADE,
	message_id text NOT NULL UNIQUE,
	to_addr text NOT NULL,
	subject text NOT NULL,
	body_text text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	sent_at timestamptz,
	last_error text
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('outbox', '');
	RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
	FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
