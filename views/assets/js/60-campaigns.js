/*
 * Campaigns: the progress of a campaign being sent updates itself from
 * its JSON endpoint every two seconds (without script, the page reloads
 * itself: a <meta http-equiv="refresh"> inside <noscript>).
 */
(function () {
	'use strict';
	var box = document.getElementById('campaign-progress');
	if (!box || !window.fetch) {
		return;
	}
	var bar = document.getElementById('campaign-bar');
	var url = box.getAttribute('data-progress');

	function show(d) {
		var done = d.sent + d.failed + d.skipped + d.cancelled;
		var fields = {
			done: done, total: d.total, sent: d.sent, failed: d.failed,
			skipped: d.skipped, waiting: d.waiting,
			cancelled: d.cancelled, rate: d.rate,
			eta: d.eta || '\u2014'
		};
		Array.prototype.forEach.call(box.querySelectorAll('[data-k]'),
		    function (el) {
			var k = el.getAttribute('data-k');
			if (Object.prototype.hasOwnProperty.call(fields, k)) {
				el.textContent = String(fields[k]);
			}
		});
		bar.max = Math.max(1, d.total);
		bar.value = done;
		bar.textContent = done + ' / ' + d.total;
		var st = document.getElementById('campaign-status');
		if (st) {
			st.textContent = d.status_label;
		}
		box.setAttribute('data-status', d.status);
	}

	function poll() {
		fetch(url, {
			credentials: 'same-origin',
			headers: { 'Accept': 'application/json' }
		}).then(function (resp) {
			return resp.ok ? resp.json() : null;
		}).then(function (d) {
			if (!d) {
				return;
			}
			show(d);
			if (d.status === 'sending' || d.status === 'paused') {
				window.setTimeout(poll, 2000);
			}
		}).catch(function () {
			window.setTimeout(poll, 5000);
		});
	}

	if (box.getAttribute('data-status') === 'sending' ||
	    box.getAttribute('data-status') === 'paused') {
		window.setTimeout(poll, 1000);
	}
}());
