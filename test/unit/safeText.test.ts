import * as assert from 'assert/strict';
import {
    breakLoggingCommands,
    escapeControlCharacters,
    guardCommandOutput,
    jsonForLog,
    markdownLinkTarget,
    markdownText,
    neutralise,
    neutraliseLines,
    redact,
    safeUrl,
    secretForms,
    textStart,
} from '../../engine/text/safeText';

/** What the agent would act on: `##vso[` anywhere, `##[` anywhere (at the start it formats the line), in any case. */
function hasCommand(text: string): boolean {
    return /##(vso)?\[/i.test(text);
}

describe('safe text: logging commands', () => {
    it('breaks ##vso[ and ##[ anywhere in a value, in any letter case, and keeps the rest readable', () => {
        assert.equal(breakLoggingCommands('a##vso[task.setvariable variable=x]y'), 'a# #vso[task.setvariable variable=x]y');
        assert.equal(breakLoggingCommands('##[error]boom'), '# #[error]boom');
        assert.equal(breakLoggingCommands('##VSO[task.complete]'), '# #VSO[task.complete]');
        assert.equal(breakLoggingCommands('C# #1 ## [ok] #vso[ok]'), 'C# #1 ## [ok] #vso[ok]');
    });

    it('leaves no command in runs of # however they are built', () => {
        for (const text of ['###vso[x]', '####[x]', '##vso##vso[x]', '#\n#vso[x]', '##vso[##[x]', '#'.repeat(7) + '[']) {
            const safe = neutralise(text);
            assert.ok(!hasCommand(safe), `${JSON.stringify(text)} became ${JSON.stringify(safe)}`);
        }
    });

    it('shows CR, LF and every other line break or control character as a visible escape', () => {
        assert.equal(
            escapeControlCharacters('a\r\nb\tc\u0000d\u001be\u007ff\u0085g\u2028h\u2029i\u202ej'),
            'a\\r\\nb\\tc\\u0000d\\u001Be\\u007Ff\\u0085g\\u2028h\\u2029i\\u202Ej',
        );
        assert.equal(escapeControlCharacters('naïve 名前.txt'), 'naïve 名前.txt');
    });

    it('makes a name with a line break and a command one harmless line', () => {
        const safe = neutralise('x.txt\n##vso[task.setvariable variable=Pwned]yes');
        assert.equal(safe, 'x.txt\\n# #vso[task.setvariable variable=Pwned]yes');
        assert.ok(!/[\r\n]/.test(safe));
    });

    it('keeps the line breaks the task means between lines, and neutralises each line', () => {
        assert.equal(neutraliseLines(['2 of 3 failed:', 'a\nb: ##[error]x']), '2 of 3 failed:\na\\nb: # #[error]x');
    });
});

describe('safe text: secrets', () => {
    const token = 'e2e-token-3f9c1d7a';

    it('knows the token, percent-encoded, and the base64 of token, :token and user:token, with and without padding', () => {
        const forms = secretForms('t0k/n+', 'me');
        const base64 = (text: string) => Buffer.from(text).toString('base64');
        for (const expected of ['t0k/n+', 't0k%2Fn%2B', base64('t0k/n+'), base64(':t0k/n+'), base64('me:t0k/n+')]) {
            assert.ok(forms.includes(expected), expected);
            assert.ok(forms.includes(expected.replace(/=+$/, '')), `${expected} without padding`);
        }
        assert.ok(forms.some((form) => form.endsWith('=')), 'some form has padding, so both spellings are tested');
        assert.deepEqual(secretForms(''), []);
    });

    it('redacts every form, the longest first, wherever it appears', () => {
        const forms = secretForms(token);
        const basic = Buffer.from(`:${token}`).toString('base64');
        const text = `Authorization: Bearer ${token}; Basic ${basic}; raw ${Buffer.from(token).toString('base64').replace(/=+$/, '')}`;
        const redacted = redact(text, forms);
        assert.equal(redacted, 'Authorization: Bearer ***; Basic ***; raw ***');
    });

    it('redacts with the replacement given, for text where *** would mean something', () => {
        assert.equal(redact('a s3cret b', ['s3cret'], '\\*\\*\\*'), 'a \\*\\*\\* b');
    });

    it('cuts a long text between words, so a secret in it is whole or left out, never cut', () => {
        const text = `Authorization: Bearer ${token} and more`;
        assert.equal(textStart(text, 30), 'Authorization: Bearer…');
        assert.equal(textStart(text, 40), `Authorization: Bearer ${token}…`);
        assert.equal(textStart(text, 200), text);
        assert.equal(textStart('x'.repeat(50), 10), '…');
    });

    it('leaves text without secrets alone', () => {
        assert.equal(redact('nothing here', secretForms(token)), 'nothing here');
        assert.equal(redact('x', []), 'x');
    });
});

describe('safe text: what task-lib prints', () => {
    it('keeps the command task-lib meant and neutralises its data', () => {
        assert.equal(
            guardCommandOutput('##vso[task.debug]  /drop/evil##vso[task.setvariable variable=Pwned]yes.txt (file)\n', []),
            '##vso[task.debug]  /drop/evil# #vso[task.setvariable variable=Pwned]yes.txt (file)\n',
        );
        assert.equal(guardCommandOutput('##vso[task.issue type=error;]a%0A##[error]b\r\n', []), '##vso[task.issue type=error;]a%0A# #[error]b\r\n');
    });

    it('redacts secrets from the data, but leaves task.setsecret whole for the agent to mask', () => {
        assert.equal(guardCommandOutput('##vso[task.debug]token s3cret!\n', ['s3cret!']), '##vso[task.debug]token ***\n');
        assert.equal(guardCommandOutput('##vso[task.setsecret]s3cret!\n', ['s3cret!']), '##vso[task.setsecret]s3cret!\n');
    });

    it('neutralises a line that is not a command at all, line by line', () => {
        assert.equal(guardCommandOutput('plain ##vso[x]\n##vso[task.debug]ok\n', []), 'plain # #vso[x]\n##vso[task.debug]ok\n');
    });
});

describe('safe text: URLs', () => {
    it('percent-encodes ; [ ] whitespace and control characters, so a list joined by ; splits into whole URLs', () => {
        assert.equal(
            safeUrl('https://x/_apis/wit/attachments/1?fileName=a;b [c]\td\r\n##vso[e]\u2028'),
            'https://x/_apis/wit/attachments/1?fileName=a%3Bb%20%5Bc%5D%09d%0D%0A##vso%5Be%5D%E2%80%A8',
        );
        assert.equal(safeUrl('https://x/a?b="<>\\^`{|}'), 'https://x/a?b=%22%3C%3E%5C%5E%60%7B%7C%7D');
    });

    it('leaves a URL with nothing unsafe, an already encoded one and an IPv6 host as they are', () => {
        for (const url of ['https://dev.azure.com/org/_apis/wit/attachments/1?fileName=a%3Bb.zip', 'http://[::1]:8080/a?b=c&d=é']) {
            assert.equal(safeUrl(url), url);
        }
        assert.equal(safeUrl('http://[::1]:8080/a[1]'), 'http://[::1]:8080/a%5B1%5D');
    });

    it('links only to http(s), with what would end a link target or a table cell encoded', () => {
        assert.equal(markdownLinkTarget('https://x/a (1)|b<c>.log'), 'https://x/a%20%281%29%7Cb%3Cc%3E.log');
        assert.equal(markdownLinkTarget('javascript:alert(1)'), undefined);
        assert.equal(markdownLinkTarget('data:text/html,<b>'), undefined);
    });
});

describe('safe text: markdown', () => {
    it('escapes what could render as a link, an image, emphasis, code or HTML', () => {
        assert.equal(markdownText('[x](http://evil)'), '\\[x\\]\\(http:\\/\\/evil\\)');
        assert.equal(markdownText('![i](y.png)'), '\\!\\[i\\]\\(y.png\\)');
        assert.equal(markdownText('<img src=x onerror=alert(1)> & co'), '&lt;img src=x onerror=alert\\(1\\)&gt; &amp; co');
        assert.equal(markdownText('*a* _b_ `c` ~d~ a|b \\ #1'), '\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ a\\|b \\\\ \\#1');
        assert.equal(markdownText('see www.evil.example'), 'see www\\.evil.example');
    });

    it('keeps a value on one line, its line breaks shown as escapes', () => {
        assert.equal(markdownText('a\nb'), 'a\\\\nb');
    });
});

describe('safe text: JSON in the log', () => {
    it('escapes # and the Unicode line breaks, and parses back to the same value', () => {
        const value = [{ name: '##vso[task.complete result=Failed]\u2028\u0085\n.txt', url: 'https://x/#frag' }];
        const json = jsonForLog(value);
        assert.ok(!json.includes('#') && !/[\u2028\u0085\n]/.test(json), json);
        assert.deepEqual(JSON.parse(json), value);
    });
});
