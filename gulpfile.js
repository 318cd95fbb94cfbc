// Copies what tsc does not emit: icons and codex files, at the same relative paths under dist/.
const { src, dest } = require('gulp');

function buildAssets() {
	return src(['icons/**/*.svg', 'nodes/**/*.{svg,png}', 'nodes/**/*.node.json', 'credentials/**/*.{svg,png}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = buildAssets;
