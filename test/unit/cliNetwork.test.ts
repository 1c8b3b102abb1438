import * as assert from 'assert/strict';
import { bypassPatterns, networkFromEnvironment, withoutPassword } from '../../cli/networkFromEnv';
import { UsageError } from '../../cli/options';

const HTTPS_COLLECTION = 'https://dev.azure.com/fabrikam/';

describe('ado-attach network from the environment', () => {
    const network = (environment: Record<string, string>, collectionUrl = HTTPS_COLLECTION) => networkFromEnvironment(environment, collectionUrl);

    it('uses no proxy and Node’s own trusted roots when nothing is set', () => {
        const none = network({});
        assert.equal(none.proxy, undefined);
        assert.equal(none.proxyFor(HTTPS_COLLECTION), undefined);
        assert.equal(none.certificates, undefined, "no CA list of our own: Node's defaults, NODE_EXTRA_CA_CERTS included, apply");
        assert.equal(none.skipCertValidation, false);
        assert.deepEqual(none.secrets, []);
    });

    it('takes HTTPS_PROXY for https URLs and HTTP_PROXY for http ones', () => {
        const both = network({ HTTPS_PROXY: 'http://secure-proxy:3128', HTTP_PROXY: 'http://plain-proxy:8080' });
        assert.equal(both.proxyFor('https://dev.azure.com/fabrikam/_apis')?.url, 'http://secure-proxy:3128');
        assert.equal(both.proxyFor('http://tfs.local:8080/tfs/')?.url, 'http://plain-proxy:8080');
        assert.equal(both.proxy?.url, 'http://secure-proxy:3128', 'the proxy of the collection URL’s scheme');
        assert.equal(network({ HTTPS_PROXY: 'http://secure-proxy:3128' }, 'http://tfs.local/tfs/').proxy, undefined);
    });

    it('prefers the lower-case variable, as curl does, and ignores empty ones', () => {
        assert.equal(network({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }).proxy?.url, 'http://lower:1');
        assert.equal(network({ https_proxy: ' ', HTTPS_PROXY: 'http://upper:2' }).proxy?.url, 'http://upper:2');
    });

    it('takes credentials out of the proxy URL, decoded, and lists the password as a secret', () => {
        const proxied = network({ HTTPS_PROXY: 'http://build%40corp:p%40ss%3Aw0rd@proxy.corp:3128/' });
        assert.deepEqual(
            { url: proxied.proxy?.url, username: proxied.proxy?.username, password: proxied.proxy?.password },
            { url: 'http://proxy.corp:3128', username: 'build@corp', password: 'p@ss:w0rd' },
        );
        assert.ok(proxied.secrets.includes('p@ss:w0rd'));
        assert.ok(proxied.secrets.includes(Buffer.from('build@corp:p@ss:w0rd').toString('base64')), 'the Proxy-Authorization value');
    });

    it('reads a proxy without a scheme as http, and an https proxy as https', () => {
        assert.equal(network({ HTTPS_PROXY: 'proxy.corp:3128' }).proxy?.url, 'http://proxy.corp:3128');
        assert.equal(network({ HTTPS_PROXY: 'https://proxy.corp' }).proxy?.url, 'https://proxy.corp');
    });

    it('names the variable of a bad proxy URL without showing its password', () => {
        for (const [value, allowed] of [
            ['socks5://u:hunter2@proxy:1080', /an http:\/\/ or https:\/\/ proxy URL/],
            ['http://u:hunter2@[bad', /a proxy URL such as/],
            ['http://u:%E0%A4%A@proxy:1', /percent-encoded correctly/],
        ] as const) {
            assert.throws(
                () => network({ https_proxy: value }),
                (error: unknown) => error instanceof UsageError && error.message.startsWith('https_proxy is ') && allowed.test(error.message) && !error.message.includes('hunter2') && !error.message.includes('%E0'),
                value,
            );
        }
        assert.equal(withoutPassword('http://user:secret@proxy:3128'), 'http://***@proxy:3128');
        assert.equal(withoutPassword('user:secret@proxy:3128'), '***@proxy:3128');
        assert.equal(withoutPassword('http://proxy:3128'), 'http://proxy:3128');
    });

    describe('NO_PROXY', () => {
        const bypassed = (noProxy: string, url: string) => network({ HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128', NO_PROXY: noProxy }).proxyFor(url) === undefined;

        const cases: [noProxy: string, url: string, bypass: boolean][] = [
            ['dev.azure.com', 'https://dev.azure.com/fabrikam/', true],
            ['dev.azure.com', 'https://DEV.Azure.com/fabrikam/', true],
            ['DEV.AZURE.COM', 'https://dev.azure.com/fabrikam/', true],
            ['azure.com', 'https://dev.azure.com/fabrikam/', true],
            ['.azure.com', 'https://dev.azure.com/fabrikam/', true],
            ['.azure.com', 'https://azure.com/', true],
            ['*.azure.com', 'https://dev.azure.com/', true],
            ['azure.com', 'https://notazure.com/', false],
            ['azure.com', 'https://azure.com.evil.example/', false],
            ['dev.azure.com', 'https://dev.azure.com:8443/', true],
            ['dev.azure.com:443', 'https://dev.azure.com/fabrikam/', true],
            ['dev.azure.com:443', 'https://dev.azure.com:443/fabrikam/', true],
            ['dev.azure.com:443', 'http://dev.azure.com/fabrikam/', false],
            ['dev.azure.com:8443', 'https://dev.azure.com/fabrikam/', false],
            ['tfs.local:8080', 'http://tfs.local:8080/tfs/', true],
            ['tfs.local:8080', 'http://tfs.local:8081/tfs/', false],
            ['tfs.local:80', 'http://tfs.local/tfs/', true],
            ['127.0.0.1', 'http://127.0.0.1:53211/x', true],
            ['127.0.0.1', 'http://127.0.0.10/x', false],
            ['10.0.0.1', 'http://10.0.0.10/', false],
            ['::1', 'http://[::1]:8080/', true],
            ['[::1]:8080', 'http://[::1]:8080/', true],
            ['[::1]:8080', 'http://[::1]:9090/', false],
            ['*', 'https://anything.example/', true],
            [' other.example , dev.azure.com ', 'https://dev.azure.com/', true],
            ['other.example,,', 'https://dev.azure.com/', false],
            ['', 'https://dev.azure.com/', false],
            ['dev.azure.com', 'https://evil.example/?dev.azure.com', false],
            ['dev.azure.com', 'https://evil.example/dev.azure.com/', false],
            ['dev.azure.com', 'https://dev.azure.com@evil.example/', false],
            ['dev.azure.com.', 'https://dev.azure.com/', true],
        ];
        for (const [noProxy, url, bypass] of cases) {
            it(`'${noProxy}' ${bypass ? 'bypasses' : 'does not bypass'} the proxy for ${url}`, () => {
                assert.equal(bypassed(noProxy, url), bypass);
            });
        }

        it('prefers no_proxy over NO_PROXY', () => {
            const decided = network({ HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'dev.azure.com', NO_PROXY: 'other.example' });
            assert.equal(decided.proxyFor('https://dev.azure.com/'), undefined);
            assert.notEqual(decided.proxyFor('https://other.example/'), undefined);
        });

        it('gives the proxy’s bypass list as the task’s regular expressions, valid for typed-rest-client too', () => {
            const patterns = bypassPatterns('dev.azure.com, tfs.local:8080, [::1]:443, *.corp');
            assert.equal(patterns.length, 4);
            for (const pattern of patterns) {
                assert.doesNotThrow(() => new RegExp(pattern, 'i'));
            }
            const proxy = network({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'dev.azure.com' }).proxy;
            assert.deepEqual(proxy?.bypass, bypassPatterns('dev.azure.com'));
            assert.ok(proxy?.bypass.some((pattern) => new RegExp(pattern, 'i').test('https://dev.azure.com/fabrikam/_apis/wit/attachments')));
        });
    });
});
