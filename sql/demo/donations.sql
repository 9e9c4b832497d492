-- Demo donations (issue 10), after sql/demo/mail.sql: seven donors and
-- their payments over the last six months, as the provider's notifications
-- would have left them (status, subscription number, one payment row per
-- notification, the tax receipt of each donor and year by
-- tax_receipt_for, numbered in the order the payments came): one-off
-- gifts, a monthly gift with five instalments and one stopped after three,
-- a refunded gift (it leaves the yearly total), a refused one. Marianne,
-- the demo member, gave 30 € once about six weeks ago: she sees it in
-- /account/donations, and keeps almost all her yearly room (7,470 €) for
-- the walk-through of the README (50 € once, then monthly, then 7,500 €
-- refused with the room left). The provider's transaction numbers start
-- with "demo-": demo-content.sh adds all this once. Subscription numbers
-- are unknown to the local fake provider: stopping those monthly gifts
-- would be refused by it (none belongs to the demo member).

CREATE TEMPORARY TABLE demo_donor (
	k integer PRIMARY KEY,		-- the donor
	kind text, cents integer, status text, civility text, first text,
	last text, email text, street text, postal text, city text,
	member text,			-- the account's e-mail, if any
	abo text,			-- PBX abo of a monthly gift
	ended_days integer		-- a monthly gift stopped that long ago
) ON COMMIT DROP;
INSERT INTO demo_donor VALUES
	(1, 'once', 3000, 'paid', 'mme', 'Marianne', 'Dupont',
	 'marianne@civitas.localhost', '1 place Bellecour', '69002',
	 'Lyon 2e Arrondissement', 'marianne@civitas.localhost', NULL, NULL),
	(2, 'monthly', 2000, 'active', 'm', 'Jean', 'Moreau',
	 'jean.moreau@demo.civitas.localhost', '8 rue Mercière', '69002',
	 'Lyon 2e Arrondissement', NULL, 'DEMO-ABO-0001', NULL),
	(3, 'once', 10000, 'paid', 'mme', 'Sophie', 'Lambert',
	 'sophie.lambert@demo.civitas.localhost', '25 cours Vitton', '69006',
	 'Lyon 6e Arrondissement', NULL, NULL, NULL),
	(4, 'once', 25000, 'paid', 'mme', 'Sophie', 'Lambert',
	 'sophie.lambert@demo.civitas.localhost', '25 cours Vitton', '69006',
	 'Lyon 6e Arrondissement', NULL, NULL, NULL),
	(5, 'monthly', 1000, 'ended', 'm', 'Karim', 'Benali',
	 'karim.benali@demo.civitas.localhost', '4 rue de la Paix', '13001',
	 'Marseille', NULL, 'DEMO-ABO-0002', 95),
	(6, 'once', 50000, 'paid', 'mme', 'Lucie', 'Fabre',
	 'lucie.fabre@demo.civitas.localhost', '17 allée des Tilleuls', '75011',
	 'Paris', NULL, NULL, NULL),
	(7, 'once', 100000, 'paid', 'm', 'Paul', 'Girard',
	 'paul.girard@demo.civitas.localhost', '2 quai Saint-Antoine', '69002',
	 'Lyon 2e Arrondissement', NULL, NULL, NULL),
	(8, 'once', 5000, 'refused', 'mme', 'Nadia', 'Roux',
	 'nadia.roux@demo.civitas.localhost', '60 avenue Jean Jaurès', '69007',
	 'Lyon 7e Arrondissement', NULL, NULL, NULL);

-- The payments: donor, days ago (the first one is the gift's), refunded
-- that many days ago (NULL: not refunded).
CREATE TEMPORARY TABLE demo_payment (
	k integer, days integer, refunded_days integer
) ON COMMIT DROP;
INSERT INTO demo_payment VALUES
	(1, 41, NULL),
	(2, 152, NULL), (2, 122, NULL), (2, 91, NULL), (2, 61, NULL),
	(2, 30, NULL),
	(3, 104, NULL), (4, 18, NULL),
	(5, 180, NULL), (5, 150, NULL), (5, 119, NULL),
	(6, 72, 66),
	(7, 9, NULL);

CREATE TEMPORARY TABLE demo_gift (k integer, id bigint) ON COMMIT DROP;

DO $$
DECLARE
	d record;
	p record;
	gift bigint;
	first timestamptz;
	admin bigint := (SELECT id FROM users WHERE email =
	    'admin@civitas.localhost');
	n integer := 0;
BEGIN
	FOR d IN SELECT * FROM demo_donor ORDER BY k LOOP
		first := now() - make_interval(days => coalesce((SELECT
		    max(days) FROM demo_payment WHERE k = d.k), 4)) +
		    make_interval(hours => 10 + d.k);
		INSERT INTO donations (user_id, kind, amount_cents, status,
		    civility, first_name, last_name, email, street, postal_code,
		    city_name, country, name_key, subscription_ref, created_at,
		    paid_at, ended_at)
		VALUES ((SELECT id FROM users WHERE email = d.member), d.kind,
		    d.cents, d.status, d.civility, d.first, d.last, d.email,
		    d.street, d.postal, d.city, 'FR',
		    donation_name_key(d.last, d.first, d.postal), d.abo,
		    first - interval '4 minutes',
		    CASE WHEN d.status <> 'refused' THEN first END,
		    now() - make_interval(days => d.ended_days))
		RETURNING id INTO gift;
		INSERT INTO demo_gift VALUES (d.k, gift);
	END LOOP;
	-- In the order the provider notified them: receipt numbers follow.
	FOR p IN SELECT x.*, g.id AS gift, o.email,
	    now() - make_interval(days => x.days) +
	    make_interval(hours => 10 + x.k) AS paid_at
	    FROM demo_payment x JOIN demo_gift g USING (k)
	    JOIN demo_donor o USING (k) ORDER BY x.days DESC, x.k LOOP
		n := n + 1;
		INSERT INTO donation_payments (donation_id, transaction_id,
		    authorization_code, amount_cents, paid_at, year, receipt_id,
		    refunded_at, refunded_by)
		SELECT p.gift, 'demo-' || n, 'DEMO' || lpad(n::text, 2, '0'),
		    g.amount_cents, p.paid_at,
		    extract(year FROM p.paid_at AT TIME ZONE 'Europe/Paris'),
		    tax_receipt_for(p.email, extract(year FROM p.paid_at AT
			TIME ZONE 'Europe/Paris')::integer),
		    now() - make_interval(days => p.refunded_days),
		    CASE WHEN p.refunded_days IS NOT NULL THEN admin END
		FROM donations g WHERE g.id = p.gift;
	END LOOP;
END
$$;
