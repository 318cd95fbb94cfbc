// n8n-core writes an encryption key into the user folder on import; keep it out of $HOME.
const fs = require('fs');
const os = require('os');
const path = require('path');

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'llamaextract-n8n-'));
}
