// The `url` module as azure-devops-node-api's VsoClient sees it in the bundles: the same legacy parser, reached
// without `url.parse()`/`url.resolve()`. Node 24 warns (DEP0169) on every call of those two from code outside
// node_modules, and a bundle is outside node_modules, so the task would print a DeprecationWarning on stderr.
// `Url.prototype.parse` is what `url.parse()` runs after its warning, so URLs come out exactly as before.
'use strict';
const url = require('url');

function parse(text, parseQueryString, slashesDenoteHost) {
    const parsed = new url.Url();
    parsed.parse(text, parseQueryString, slashesDenoteHost);
    return parsed;
}

/** What url.resolve(source, relative) does: both parsed with slashes denoting a host, resolved, formatted. */
function resolve(source, relative) {
    return parse(source, false, true).resolveObject(parse(relative, false, true)).format();
}

module.exports = { ...url, parse, resolve };
