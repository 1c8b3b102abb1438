// An esbuild plugin for both bundles: azure-devops-node-api's VsoClient gets scripts/shims/legacyUrl.js for
// `require("url")` (why: see that file). Every other importer keeps Node's own `url`.
'use strict';
const path = require('path');

const VSO_CLIENT = /[\\/]azure-devops-node-api[\\/]VsoClient\.js$/;

const legacyUrlForVsoClient = {
    name: 'legacy-url-for-vso-client',
    setup(build) {
        build.onResolve({ filter: /^url$/ }, (args) => (VSO_CLIENT.test(args.importer) ? { path: path.join(__dirname, 'shims', 'legacyUrl.js') } : undefined));
    },
};

module.exports = { legacyUrlForVsoClient };
