import * as assert from 'assert/strict';
import * as http from 'http';
import * as https from 'https';
import * as tls from 'tls';
import { testCertificates } from '../emulator';
import { proxyFor, usableBypassPatterns, useAgents } from '../../engine/http/services';
import { trustedRoots } from '../../engine/http/trustedRoots';

describe('trusted roots', () => {
    it('adds the CA file of Agent.CAInfo to the default roots instead of replacing them', () => {
        const roots = trustedRoots(testCertificates.ca, {});
        assert.ok(roots);
        assert.ok(tls.rootCertificates.length > 50, 'node has its bundled roots');
        for (const root of tls.rootCertificates) {
            assert.ok(roots.includes(root), 'every default root is still trusted');
        }
        assert.equal(roots[roots.length - 1], testCertificates.ca);
    });

    it('keeps Node\'s defaults when no CA file is given', () => {
        assert.equal(trustedRoots(undefined, {}), undefined);
    });
});

describe('proxy bypass list', () => {
    it('trims entries, drops empty ones, and ignores one that is not a regular expression with a warning naming it', () => {
        const warnings: string[] = [];
        const usable = usableBypassPatterns(['  ^https://dev\\.azure\\.com/  ', '', '   ', '[unclosed', '(a'], (entry) => warnings.push(entry));
        assert.deepEqual(usable, ['^https://dev\\.azure\\.com/']);
        assert.deepEqual(warnings, ['[unclosed', '(a']);
    });

    it('a trimmed entry bypasses the URL it matches', () => {
        const proxy = { url: 'http://proxy:8888', bypass: usableBypassPatterns([' ^https://dev\\.azure\\.com/ '], () => assert.fail('no warning')) };
        assert.equal(proxyFor(proxy, 'https://dev.azure.com/fabrikam/_apis/wit'), undefined);
        assert.equal(proxyFor(proxy, 'https://vsrm.dev.azure.com/fabrikam/_apis'), proxy);
    });
});

describe('node-api requests through the task\'s agents', () => {
    it('picks the agent for the scheme typed-rest-client chose, and the whole URL, default ports left out', () => {
        const asked: string[] = [];
        const ours = new http.Agent();
        const prepare = useAgents((url) => {
            asked.push(url.href);
            return ours;
        });
        const secure: http.RequestOptions = { host: 'dev.azure.com', port: 443, path: '/fabrikam/_apis/Location', agent: new https.Agent() };
        prepare(secure);
        const plain: http.RequestOptions = { host: '127.0.0.1', port: 8080, path: '/tfs/_apis', agent: new http.Agent() };
        prepare(plain);
        assert.deepEqual(asked, ['https://dev.azure.com/fabrikam/_apis/Location', 'http://127.0.0.1:8080/tfs/_apis']);
        assert.equal(secure.agent, ours);
        assert.equal(plain.agent, ours);
    });
});
