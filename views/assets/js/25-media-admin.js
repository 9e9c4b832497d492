/*
 * Media library upload: a file dropped anywhere on the file field's box
 * goes into the file input, so the normal form (which works without
 * JavaScript) sends it.
 */
(function () {
	'use strict';
	var box = document.querySelector('.media-drop');
	var input = box && box.querySelector('input[type=file]');
	if (!input || !window.DataTransfer) {
		return;
	}
	function on(type, fn) {
		box.addEventListener(type, function (e) {
			e.preventDefault();
			fn(e);
		});
	}
	on('dragenter', function () { box.classList.add('dragging'); });
	on('dragover', function () { box.classList.add('dragging'); });
	on('dragleave', function () { box.classList.remove('dragging'); });
	on('drop', function (e) {
		box.classList.remove('dragging');
		if (e.dataTransfer && e.dataTransfer.files.length) {
			input.files = e.dataTransfer.files;
		}
	});
}());
