/*
 * Follow and unfollow a committee without leaving its page: the form
 * (form.js-follow) is posted with Accept: application/json, and the
 * answer {following, members} turns the button and the count. A refusal
 * (problem+json) is shown next to the button. Without JavaScript the
 * form posts and the server redirects back with a notice.
 */
(function () {
	'use strict';
	if (!window.fetch || !window.FormData || !window.URLSearchParams) {
		return;
	}
	var count = document.getElementById('committee-members');

	function say(form, text) {
		var p = form.querySelector('.follow-status');
		if (!p) {
			p = document.createElement('p');
			p.className = 'follow-status';
			p.setAttribute('role', 'status');
			form.appendChild(p);
		}
		p.textContent = text;
	}

	function turn(form, following) {
		var slug = form.action.replace(/\/(un)?follow$/, '');
		var button = form.querySelector('button');
		form.action = slug + (following ? '/unfollow' : '/follow');
		button.textContent = following ? 'Ne plus suivre ce comité' :
			'Suivre ce comité';
		button.className = following ? 'button secondary' : 'button';
		button.setAttribute('data-follow', following ? 'unfollow' : 'follow');
	}

	function submit(event) {
		var form = event.target;
		if (!form.classList || !form.classList.contains('js-follow')) {
			return;
		}
		event.preventDefault();
		/* Busy rather than disabled: a disabled button loses the focus,
		 * and a keyboard user would lose their place. */
		if (form.getAttribute('aria-busy') === 'true') {
			return;
		}
		form.setAttribute('aria-busy', 'true');
		fetch(form.action, {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'Accept': 'application/json' },
			body: new URLSearchParams(new FormData(form))
		}).then(function (resp) {
			return resp.json().then(function (data) {
				if (!resp.ok) {
					say(form, data.detail || 'Une erreur est survenue.');
					return;
				}
				turn(form, data.following);
				if (count && typeof data.members === 'number') {
					count.textContent = data.members + ' membre' +
						(data.members > 1 ? 's' : '');
				}
				say(form, data.message || '');
			});
		}).catch(function () {
			say(form, 'Le service est momentanément indisponible.');
		}).then(function () {
			form.removeAttribute('aria-busy');
		});
	}

	document.addEventListener('submit', submit);
}());
