-- Demo consent and mail (issue 9), after sql/demo/committees.sql: the demo
-- members take the defaults the sign-up form proposes (they were created
-- without the form), a few newsletter subscribers around Lyon, and
-- Marianne is the referent of the Rhône. Once (demo-content.sh).
INSERT INTO user_subscriptions (user_id, type)
SELECT u.id, t.code FROM users u CROSS JOIN subscription_types t
WHERE t.default_on AND NOT EXISTS (SELECT 1 FROM consent_ledger l
	WHERE l.user_id = u.id)
ON CONFLICT DO NOTHING;
INSERT INTO consent_ledger (user_id, type, subscribed, source, detail)
SELECT s.user_id, s.type, true, 'signup', 'démonstration'
FROM user_subscriptions s
WHERE NOT EXISTS (SELECT 1 FROM consent_ledger l WHERE l.user_id = s.user_id);

INSERT INTO newsletter_subscribers (email, postal_code, departement, status,
	confirmed_at)
SELECT 'lecteur' || i || '@demo.civitas.localhost', p, departement_of_postal(p),
	'confirmed', now()
FROM generate_series(1, 5) i,
	LATERAL (SELECT (ARRAY['69001', '69003', '69100', '69500', '75011'])[i] AS p) x
ON CONFLICT (email) DO NOTHING;
INSERT INTO consent_ledger (email, type, subscribed, source, detail)
SELECT email, 'newsletter', true, 'newsletter', 'démonstration'
FROM newsletter_subscribers n
WHERE email LIKE 'lecteur%@demo.civitas.localhost'
AND NOT EXISTS (SELECT 1 FROM consent_ledger l WHERE l.email = n.email);

INSERT INTO referent_areas (user_id, departement)
SELECT id, '69' FROM users WHERE email = 'marianne@civitas.localhost'
ON CONFLICT DO NOTHING;
