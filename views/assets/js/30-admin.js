/*
 * Back-office: a live preview of the Markdown being typed, rendered by the
 * server's own sanitiser (POST /admin/preview) so it shows exactly what
 * will be stored. Without JavaScript the form works the same; "Aperçu"
 * shows the saved version.
 */
(function () {
	'use strict';
	var areas = document.querySelectorAll('textarea[data-preview]');
	Array.prototype.forEach.call(areas, function (area) {
		var box = document.getElementById(area.getAttribute('data-preview'));
		var csrf = area.form && area.form.querySelector('input[name=_csrf]');
		var timer = null;
		var seq = 0;
		if (!box || !csrf || !window.fetch) {
			return;
		}
		function refresh() {
			var mine = ++seq;
			var body = new URLSearchParams();
			body.set('_csrf', csrf.value);
			body.set('body', area.value);
			fetch('/admin/preview', {
				method: 'POST',
				credentials: 'same-origin',
				body: body
			}).then(function (resp) {
				return resp.ok ? resp.text() : null;
			}).then(function (html) {
				if (html === null || mine !== seq) {
					return;
				}
				/* Sanitised by the server (infra/markdown.c). */
				box.innerHTML = html;
				box.hidden = false;
			}).catch(function () {});
		}
		area.addEventListener('input', function () {
			clearTimeout(timer);
			timer = setTimeout(refresh, 400);
		});
		if (area.value) {
			refresh();
		}
	});
})();
