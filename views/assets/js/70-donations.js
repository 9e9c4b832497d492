// donations: the payment form goes to the provider by itself (its
// button stays for browsers without JavaScript).
(function () {
	"use strict";
	var f = document.getElementById("paybox-form");
	if (f && !f.dataset.sent) {
		f.dataset.sent = "1";
		f.submit();
	}
})();
