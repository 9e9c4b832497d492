/*
 * Search as you type on /search: 150 ms after the last keystroke the
 * form's query goes to /api/search and the results list is redrawn; a
 * newer keystroke aborts the request still running. The status line is
 * an aria-live region ("3 résultats."). Without JavaScript the form
 * submits and the server renders the same list.
 */
(function () {
	'use strict';
	var form = document.querySelector('form.search-form[data-api]');
	var input = document.getElementById('q');
	var list = document.getElementById('search-results');
	var status = document.getElementById('search-status');
	if (!form || !input || !list || !status || !window.fetch ||
		!window.AbortController) {
		return;
	}
	var api = form.getAttribute('data-api');
	var timer = null;
	var pending = null;
	var shown = input.value.trim();
	var months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin',
		'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

	function dateFr(iso) {
		var d = new Date(iso);
		if (isNaN(d.getTime())) {
			return '';
		}
		var day = d.getDate();
		return (day === 1 ? '1er' : String(day)) + ' ' +
			months[d.getMonth()] + ' ' + d.getFullYear();
	}

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) {
			e.className = cls;
		}
		if (text) {
			e.textContent = text;
		}
		return e;
	}

	function item(r) {
		var li = el('li', 'result');
		var h = el('h2');
		var a = el('a', null, r.title);
		a.href = r.url;
		h.appendChild(a);
		li.appendChild(h);
		var meta = el('p', 'meta');
		meta.appendChild(el('span', 'kind',
			r.kind === 'page' ? 'Page' : 'Article'));
		meta.appendChild(document.createTextNode(' · '));
		var t = el('time', null, dateFr(r.published_at));
		t.setAttribute('datetime', r.published_at);
		meta.appendChild(t);
		li.appendChild(meta);
		if (r.summary) {
			li.appendChild(el('p', 'snippet', r.summary));
		}
		return li;
	}

	function render(results) {
		list.textContent = '';
		results.forEach(function (r) {
			list.appendChild(item(r));
		});
		list.hidden = results.length === 0;
		status.textContent = results.length === 0 ? 'Aucun résultat.' :
			results.length === 1 ? '1 résultat.' :
			results.length + ' résultats.';
	}

	function search() {
		var q = input.value.trim();
		if (q === shown) {
			return;
		}
		if (pending) {
			pending.abort();
			pending = null;
		}
		shown = q;
		if (q.length < 2) {
			list.textContent = '';
			list.hidden = true;
			status.textContent = q.length ?
				'Saisissez au moins 2 caractères.' : '';
			return;
		}
		var ctl = new AbortController();
		pending = ctl;
		fetch(api + '?q=' + encodeURIComponent(q), { signal: ctl.signal })
			.then(function (resp) {
				if (!resp.ok) {
					throw new Error(String(resp.status));
				}
				return resp.json();
			})
			.then(function (data) {
				if (pending !== ctl) {
					return;
				}
				pending = null;
				render(data.results || []);
				if (window.history && history.replaceState) {
					history.replaceState(null, '', '?q=' +
						encodeURIComponent(q));
				}
			})
			.catch(function (err) {
				if (err && err.name === 'AbortError') {
					return;
				}
				/* Leave the list; a submit still works. */
				shown = null;
			});
	}

	input.addEventListener('input', function () {
		clearTimeout(timer);
		timer = setTimeout(search, 150);
	});
}());
