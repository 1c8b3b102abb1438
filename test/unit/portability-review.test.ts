import * as assert from 'assert/strict';
import * as path from 'path';
import * as url from 'url';

/** The url module node-api's VsoClient gets in the bundles (scripts/legacyUrlPlugin.js). */
const legacyUrl = require(path.resolve(__dirname, '..', '..', '..', 'scripts', 'shims', 'legacyUrl.js')) as typeof url;

const COLLECTIONS = [
    'https://dev.azure.com/fabrikam/',
    'https://dev.azure.com/fabrikam',
    'https://fabrikam.visualstudio.com/',
    'http://tfs.corp:8080/tfs/DefaultCollection/',
    'https://server/tfs/Default Collection/',
    'https://Server.Corp/tfs/Coll%20One/',
    'http://127.0.0.1:50123/org/',
    'http://[::1]:8080/org/',
    'https://user@server/tfs/DefaultCollection',
];

/** What VsoClient.resolveUrl and getRequestUrl append to the collection's path. */
const RELATIVE = [
    '_apis/wit',
    '_apis/wit/attachments/0c3b0b4e-2a51-4b8e-9d65-1f0a6b3d2c11?fileName=a%20b%2Fc.txt&uploadType=Chunked&api-version=7.1',
    '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37/_apis/wit/workitems/101?$expand=relations&api-version=7.1',
    '_apis/build/builds/42/workitems?$top=100&api-version=7.1',
];

describe('portability review: the legacy URL parser node-api gets in the bundles', () => {
    it('parses every kind of collection URL exactly as url.parse() does', () => {
        for (const collection of COLLECTIONS) {
            assert.deepEqual({ ...legacyUrl.parse(collection) }, { ...url.parse(collection) }, collection);
        }
    });

    // VsoClient joins the collection's path and the route with `path.join`, which on a Windows agent is path.win32's:
    // backslashes. The legacy parser turns them back into slashes; the shim must keep doing exactly that.
    for (const [name, join] of [['POSIX', path.posix.join], ['Windows', path.win32.join]] as const) {
        it(`resolves every route against every collection exactly as url.resolve() does, with ${name} path.join`, () => {
            for (const collection of COLLECTIONS) {
                const basePath = url.parse(collection).pathname ?? '/';
                for (const relative of RELATIVE) {
                    const joined = join(basePath, relative);
                    const resolved = legacyUrl.resolve(collection, joined);
                    assert.equal(resolved, url.resolve(collection, joined), `${collection} + ${joined}`);
                    assert.doesNotMatch(resolved, /\\/, 'no backslash reaches the request URL');
                }
            }
        });
    }

    it('passes the rest of the url module through', () => {
        assert.equal(legacyUrl.URL, url.URL);
        assert.equal(legacyUrl.fileURLToPath, url.fileURLToPath);
    });
});
