/*
 * Pictures: the browser loads each image lazily (loading="lazy"); until it
 * arrives the blurred placeholder shows, then the image fades in. Without
 * JavaScript the images simply show as they load.
 */
(function () {
	'use strict';
	document.documentElement.classList.add('js');
	function shown(img) {
		img.classList.add('loaded');
	}
	var imgs = document.querySelectorAll('img.pic-img');
	for (var i = 0; i < imgs.length; i++) {
		var img = imgs[i];
		if (img.complete && img.naturalWidth > 0) {
			shown(img);
		} else {
			img.addEventListener('load', shown.bind(null, img));
			img.addEventListener('error', shown.bind(null, img));
		}
	}
}());
