/*
 * civitas: progressive enhancement only; every page works without it.
 * Address block: for France, the commune becomes a select filled from
 * /api/cities with the communes of the typed postal code.
 */
(function () {
	'use strict';
	var country = document.getElementById('country');
	var postal = document.getElementById('postal_code');
	var select = document.getElementById('city_code');
	var codeField = document.getElementById('field-city-code');
	var nameField = document.getElementById('field-city-name');
	var nameInput = document.getElementById('city_name');
	if (!country || !postal || !select || !codeField || !nameField) {
		return;
	}
	var fetched = null;
	var pending = null;

	function placeholder(text) {
		var o = document.createElement('option');
		o.value = '';
		o.textContent = text;
		return o;
	}

	function showFrance(isFrance) {
		codeField.hidden = !isFrance;
		select.disabled = !isFrance;
		nameField.hidden = isFrance;
		nameInput.disabled = isFrance;
	}

	function fill(list) {
		var keep = select.value;
		select.textContent = '';
		if (list.length === 0) {
			select.appendChild(placeholder('Aucune commune pour ce code postal'));
			return;
		}
		if (list.length > 1) {
			select.appendChild(placeholder('Choisissez votre commune'));
		}
		list.forEach(function (c) {
			var o = document.createElement('option');
			o.value = c.code;
			o.textContent = c.name;
			if (c.code === keep) {
				o.selected = true;
			}
			select.appendChild(o);
		});
	}

	function update() {
		var isFrance = country.value === 'FR';
		var code = postal.value.trim();
		showFrance(isFrance);
		if (!isFrance) {
			return;
		}
		if (!/^[0-9]{5}$/.test(code)) {
			fetched = null;
			select.textContent = '';
			select.appendChild(placeholder('Saisissez le code postal'));
			return;
		}
		if (code === fetched) {
			return;
		}
		fetched = code;
		if (pending) {
			pending.abort();
		}
		pending = new AbortController();
		fetch(select.getAttribute('data-api') + '?country=FR&postal_code=' +
			encodeURIComponent(code), { signal: pending.signal })
			.then(function (r) { return r.ok ? r.json() : []; })
			.then(function (list) {
				if (postal.value.trim() === code) {
					fill(list);
				}
			})
			.catch(function () { /* keep what the server rendered */ });
	}

	country.addEventListener('change', update);
	postal.addEventListener('input', update);
	if (select.options.length === 0 || country.value !== 'FR') {
		update();
	} else {
		showFrance(true);
		fetched = postal.value.trim();
	}
}());
