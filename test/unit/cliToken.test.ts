import * as assert from 'assert/strict';
import { PassThrough, Readable } from 'stream';
import { UsageError } from '../../cli/options';
import { credentialFor, isJwt, MAX_TOKEN_LINE_BYTES, readFirstLine, resolveToken } from '../../cli/token';

const PAT = 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst';
const JWT = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiI0OTliODRhYy0xMzIxIn0.c2lnbmF0dXJlLXBhcnQ';

describe('ado-attach token', () => {
    const noStdin = () => Promise.reject(new Error('stdin must not be read without --token-stdin'));

    it('reads --token-stdin first, with its line end trimmed, before both variables', async () => {
        const resolved = await resolveToken({
            tokenStdin: true,
            environment: { AZURE_DEVOPS_EXT_PAT: 'other', SYSTEM_ACCESSTOKEN: JWT },
            readFirstLine: () => Promise.resolve(`${PAT}\r`),
        });
        assert.deepEqual(resolved.credential, { kind: 'basic', username: '', password: PAT });
        assert.equal(resolved.source, 'stdin');
    });

    it('takes AZURE_DEVOPS_EXT_PAT as basic auth with an empty user name, before SYSTEM_ACCESSTOKEN', async () => {
        const resolved = await resolveToken({ tokenStdin: false, environment: { AZURE_DEVOPS_EXT_PAT: PAT, SYSTEM_ACCESSTOKEN: JWT }, readFirstLine: noStdin });
        assert.deepEqual(resolved.credential, { kind: 'basic', username: '', password: PAT });
        assert.equal(resolved.source, 'AZURE_DEVOPS_EXT_PAT');
    });

    it('takes SYSTEM_ACCESSTOKEN as a bearer token', async () => {
        const resolved = await resolveToken({ tokenStdin: false, environment: { AZURE_DEVOPS_EXT_PAT: '', SYSTEM_ACCESSTOKEN: 'pipeline-token' }, readFirstLine: noStdin });
        assert.deepEqual(resolved.credential, { kind: 'bearer', token: 'pipeline-token' });
        assert.equal(resolved.source, 'SYSTEM_ACCESSTOKEN');
    });

    it('sends a JWT as bearer whatever its source', async () => {
        const fromStdin = await resolveToken({ tokenStdin: true, environment: {}, readFirstLine: () => Promise.resolve(`${JWT}\n`) });
        const fromPat = await resolveToken({ tokenStdin: false, environment: { AZURE_DEVOPS_EXT_PAT: JWT }, readFirstLine: noStdin });
        assert.deepEqual(fromStdin.credential, { kind: 'bearer', token: JWT });
        assert.deepEqual(fromPat.credential, { kind: 'bearer', token: JWT });
    });

    it('tells a JWT from a PAT', () => {
        assert.equal(isJwt(JWT), true);
        assert.equal(isJwt(PAT), false);
        assert.equal(isJwt('a.b.c'), false, 'the header must be JSON');
        assert.equal(isJwt('eyJhbGciOiJub25lIn0.eyJ9'), false, 'two parts');
        assert.equal(isJwt('eyJh bGc.eyJ.sig'), false);
        assert.deepEqual(credentialFor(PAT), { kind: 'basic', username: '', password: PAT });
    });

    it('lists the forms of the secret that must never be printed', async () => {
        const resolved = await resolveToken({ tokenStdin: false, environment: { AZURE_DEVOPS_EXT_PAT: PAT }, readFirstLine: noStdin });
        assert.ok(resolved.secrets.includes(PAT));
        assert.ok(resolved.secrets.includes(Buffer.from(`:${PAT}`).toString('base64')), 'the Basic header value');
    });

    it('names all three ways when there is no token', async () => {
        await assert.rejects(
            resolveToken({ tokenStdin: false, environment: { AZURE_DEVOPS_EXT_PAT: ' ', SYSTEM_ACCESSTOKEN: '' }, readFirstLine: noStdin }),
            (error: unknown) =>
                error instanceof UsageError && /--token-stdin/.test(error.message) && /AZURE_DEVOPS_EXT_PAT/.test(error.message) && /SYSTEM_ACCESSTOKEN/.test(error.message),
        );
    });

    it('refuses an empty first line on --token-stdin, even with a variable set', async () => {
        await assert.rejects(
            resolveToken({ tokenStdin: true, environment: { AZURE_DEVOPS_EXT_PAT: PAT }, readFirstLine: () => Promise.resolve('\r\n') }),
            (error: unknown) => error instanceof UsageError && /first line of standard input is empty/.test(error.message),
        );
    });

    describe('readFirstLine', () => {
        it('stops at the first line break, across chunks', async () => {
            const input = new PassThrough();
            const line = readFirstLine(input);
            input.write('abc');
            input.write('def\r\nsecond line\n');
            assert.equal(await line, 'abcdef\r');
        });

        it('takes everything when the input ends without a line break', async () => {
            assert.equal(await readFirstLine(Readable.from([Buffer.from('tok'), Buffer.from('en')])), 'token');
            assert.equal(await readFirstLine(Readable.from([])), '');
        });

        it('refuses a first line longer than any token', async () => {
            const input = new PassThrough();
            const line = readFirstLine(input);
            input.write('x'.repeat(MAX_TOKEN_LINE_BYTES + 1));
            await assert.rejects(line, (error: unknown) => error instanceof UsageError && /without a line break/.test(error.message));
        });
    });
});
