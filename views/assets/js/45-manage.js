/*
 * Host tools: the check-in buttons post without reloading the page (the
 * forms work the same without JavaScript: the server answers with a
 * redirect back to the person).
 */
(function () {
	'use strict';
	var forms = document.querySelectorAll('form.checkin-form');
	if (!window.fetch) {
		return;
	}
	Array.prototype.forEach.call(forms, function (form) {
		form.addEventListener('submit', function (ev) {
			var row = form.closest('.checkin-row');
			var body = new URLSearchParams(new FormData(form));
			ev.preventDefault();
			fetch(form.action, {
				method: 'POST',
				credentials: 'same-origin',
				headers: { 'Accept': 'application/json' },
				body: body
			}).then(function (resp) {
				return resp.ok ? resp.json() : null;
			}).then(function (data) {
				if (!data) {
					form.submit();
					return;
				}
				row.setAttribute('data-attended', data.attended);
				row.querySelector('.checkin-state').textContent =
				    data.attended === 'present' ? 'Présent' :
				    data.attended === 'absent' ? 'Absent' : '';
				Array.prototype.forEach.call(
				    row.querySelectorAll('button'), function (b) {
					var v = b.form.querySelector(
					    'input[name=attended]').value;
					b.setAttribute('aria-pressed',
					    v === data.attended ? 'true' : 'false');
				});
			}).catch(function () {
				form.submit();
			});
		});
	});
}());
