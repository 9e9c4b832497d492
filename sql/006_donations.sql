-- 006: donations through Paybox System. A donation is a pledge (a one-off
-- gift or a monthly one); each payment the provider notifies is a row of
-- donation_payments, unique on the provider's transaction number. The
-- yearly cap (7,500 € per person and calendar year, law 88-227 art. 11-4)
-- is computed by donation_room(); tax receipts are numbered per year with
-- no gap by tax_receipt_for(). README, "Donations".

CREATE TABLE donations (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	user_id bigint REFERENCES users (id) ON DELETE SET NULL,
	kind text NOT NULL CHECK (kind IN ('once', 'monthly')),
	-- a one-off gift, or each instalment of a monthly one
	amount_cents integer NOT NULL
	    CHECK (amount_cents > 0 AND amount_cents <= 750000),
	-- once:    pending -> paid | refused | cancelled | expired
	-- monthly: pending -> active -> ended; pending -> refused | cancelled
	--          | expired
	status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending',
	    'paid', 'active', 'ended', 'refused', 'cancelled', 'expired')),
	civility text NOT NULL CHECK (civility IN ('mme', 'm')),
	first_name text NOT NULL CHECK (length(first_name) <= 50),
	last_name text NOT NULL CHECK (length(last_name) <= 50),
	email text NOT NULL CHECK (email = lower(email) AND length(email) <= 255),
	street text NOT NULL CHECK (length(street) <= 150),
	postal_code text NOT NULL CHECK (length(postal_code) <= 15),
	city_name text NOT NULL CHECK (length(city_name) <= 100),
	country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
	phone text,
	-- The person, for the yearly cap, besides the e-mail address:
	-- donation_name_key(last_name, first_name, postal_code).
	name_key text NOT NULL,
	-- The provider's subscription number (PBX "abo") of a monthly gift.
	subscription_ref text,
	created_at timestamptz NOT NULL DEFAULT now(),
	paid_at timestamptz,		-- first payment
	ended_at timestamptz,		-- a monthly gift stopped
	-- The browser that made the gift: the keyed digest of its csrf
	-- cookie (features/donations.c). Only that browser sees the payment
	-- form and the return page.
	owner_digest text
);
CREATE INDEX donations_email ON donations (email);
CREATE INDEX donations_name_key ON donations (name_key);
CREATE INDEX donations_user ON donations (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX donations_created ON donations (created_at DESC, id DESC);
-- One active monthly gift per person, by either key.
CREATE UNIQUE INDEX donations_one_monthly_email ON donations (email)
    WHERE kind = 'monthly' AND status = 'active';
CREATE UNIQUE INDEX donations_one_monthly_name ON donations (name_key)
    WHERE kind = 'monthly' AND status = 'active';

-- Tax receipts: one per donor (e-mail address) and calendar year, numbered
-- 1, 2, 3... per year. The counter row is locked by the transaction that
-- issues a number and committed or rolled back with it: no gap, no
-- duplicate.
CREATE TABLE receipt_counters (
	year integer PRIMARY KEY,
	last integer NOT NULL DEFAULT 0
);
CREATE TABLE tax_receipts (
	id bigserial PRIMARY KEY,
	year integer NOT NULL,
	number integer NOT NULL,
	email text NOT NULL,
	issued_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (year, number),
	UNIQUE (year, email)
);

CREATE TABLE donation_payments (
	id bigserial PRIMARY KEY,
	donation_id bigint NOT NULL REFERENCES donations (id),
	transaction_id text NOT NULL UNIQUE,	-- PBX idtrans
	authorization_code text NOT NULL DEFAULT '',
	amount_cents integer NOT NULL CHECK (amount_cents > 0),
	paid_at timestamptz NOT NULL DEFAULT now(),
	-- The calendar year of the gift (Paris time), for the cap and receipts.
	year integer NOT NULL,
	receipt_id bigint NOT NULL REFERENCES tax_receipts (id),
	refunded_at timestamptz,
	refunded_by bigint REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX donation_payments_donation ON donation_payments (donation_id);
CREATE INDEX donation_payments_year ON donation_payments (year, paid_at);

-- Every notification received, verified or not (unknown references,
-- replays and bad signatures are logged here and change nothing else).
CREATE TABLE donation_notifications (
	id bigserial PRIMARY KEY,
	received_at timestamptz NOT NULL DEFAULT now(),
	query text NOT NULL,
	verified boolean NOT NULL,
	outcome text NOT NULL	-- paid, refused, replay, unknown, mismatch,
				-- bad_signature, ...
);
CREATE INDEX donation_notifications_recent ON donation_notifications
    (received_at DESC);

-- The person key: last name, first name and postal code, lowercased,
-- without accents, spaces or punctuation.
CREATE FUNCTION donation_name_key(last text, first text, postal text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT regexp_replace(lower(translate(last || '|' || first || '|' ||
	    postal,
	    'ÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸàâäáãåçéèêëíìîïñóòôöõúùûüýÿŒœÆæ',
	    'AAAAAACEEEEIIIINOOOOOUUUUYYaaaaaaceeeeiiiinooooouuuuyyOoAa')),
	    '[^a-z0-9|]', '', 'g')
$$;

-- What a person may still give in a calendar year, in cents: 7,500 € less
-- their paid gifts of the year (refunds excepted), the instalments still
-- to come that year of their active monthly gift, and pending gifts
-- not yet expired (a payment page may be paid until the gift expires,
-- a day after it was made: counting them for an hour only let a person
-- open two pages of 7,500 € an hour apart and pay both). The caller locks
-- the person first (pg_advisory_xact_lock on both keys) when it means to
-- insert a gift on the strength of the answer.
CREATE FUNCTION donation_room(p_email text, p_name_key text, p_year integer)
RETURNS integer LANGUAGE sql STABLE AS $$
	WITH mine AS (
		SELECT * FROM donations
		WHERE email = p_email OR name_key = p_name_key
	), paid AS (
		SELECT coalesce(sum(p.amount_cents), 0) AS cents
		FROM donation_payments p JOIN mine d ON d.id = p.donation_id
		WHERE p.year = p_year AND p.refunded_at IS NULL
	), monthly AS (
		-- the months after the last instalment paid this year (all
		-- twelve when none was paid this year yet)
		SELECT coalesce(sum(d.amount_cents * (12 - coalesce((
			SELECT max(extract(month FROM p.paid_at
			    AT TIME ZONE 'Europe/Paris'))::integer
			FROM donation_payments p
			WHERE p.donation_id = d.id AND p.year = p_year), 0))),
		    0) AS cents
		FROM mine d
		WHERE d.kind = 'monthly' AND d.status = 'active'
	), pending AS (
		SELECT coalesce(sum(CASE d.kind WHEN 'once' THEN d.amount_cents
		    ELSE d.amount_cents * (13 - extract(month FROM now()
			AT TIME ZONE 'Europe/Paris')::integer) END), 0) AS cents
		FROM mine d
		WHERE d.status = 'pending'
		  AND d.created_at > now() - interval '1 day'
	)
	SELECT greatest(0, 750000 - paid.cents - monthly.cents
	    - pending.cents)::integer
	FROM paid, monthly, pending
$$;

-- The receipt of (email, year): the existing one, or a new one with the
-- next number of the year. Serialised per year by the counter's row lock.
CREATE FUNCTION tax_receipt_for(p_email text, p_year integer)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	rid bigint;
	n integer;
BEGIN
	INSERT INTO receipt_counters (year) VALUES (p_year)
	    ON CONFLICT DO NOTHING;
	PERFORM 1 FROM receipt_counters WHERE year = p_year FOR UPDATE;
	SELECT id INTO rid FROM tax_receipts
	    WHERE year = p_year AND email = p_email;
	IF FOUND THEN
		RETURN rid;
	END IF;
	UPDATE receipt_counters SET last = last + 1 WHERE year = p_year
	    RETURNING last INTO n;
	INSERT INTO tax_receipts (year, number, email)
	    VALUES (p_year, n, p_email) RETURNING id INTO rid;
	RETURN rid;
END
$$;

-- Lock a person for the length of the transaction, by both keys, always
-- in the same order (no deadlock between two gifts sharing one key).
-- Called in a statement of its own: the statements after it (the
-- INSERT ... WHERE donation_room(...) >= needed) take their snapshot
-- once the lock is held, so they see every gift committed before.
CREATE FUNCTION donation_lock_person(p_email text, p_name_key text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	a integer := hashtext('donation-email:' || p_email);
	b integer := hashtext('donation-name:' || p_name_key);
BEGIN
	PERFORM pg_advisory_xact_lock(least(a, b));
	IF a <> b THEN
		PERFORM pg_advisory_xact_lock(greatest(a, b));
	END IF;
END
$$;
