import * as assert from 'assert/strict';
import type { ArtifactFile } from '../../engine/find/findArtifacts';
import type { AttachmentOutput } from '../../engine/attach';
import { fitOutputs, outputEntries, publishOutputs, type OutputSink } from '../../tasks/UploadWorkItemAttachmentsV1/src/outputs';
import { summaryMarkdown } from '../../tasks/UploadWorkItemAttachmentsV1/src/summary';

function file(relativePath: string, size = 1): ArtifactFile {
    return { absolutePath: `/root/${relativePath}`, relativePath, name: relativePath.split('/').pop() ?? relativePath, size, fingerprint: { dev: 0n, ino: 0n, size: BigInt(size), mtimeNs: 0n, ctimeNs: 0n } };
}

function attachment(relativePath: string, uploadType: AttachmentOutput['uploadType'] = 'simple'): AttachmentOutput {
    return { file: file(relativePath), id: `id-${relativePath}`, url: `https://x/${relativePath}`, uploadType };
}

/** Records what publishOutputs sets, writes and warns. */
function sink(outputs: Map<string, string>, written: string[] = [], warnings: string[] = [], writeFails = false): OutputSink {
    return {
        setOutput: (name, value) => outputs.set(name, value),
        writeAttachmentsFile: (json) => {
            if (writeFails) {
                throw new Error('ENOSPC: no space left on device');
            }
            written.push(json);
            return 'C:/agent/_temp/list.json';
        },
        warning: (message) => warnings.push(message),
    };
}

const loc = (key: string, ...params: (string | number)[]) => `${key}(${params.join(', ')})`;

function many(count: number, urlLength = 60): AttachmentOutput[] {
    return Array.from({ length: count }, (_, index) => {
        const relativePath = `dir/file-${String(index).padStart(4, '0')}.log`;
        const url = `https://x/${String(index).padStart(4, '0')}?f=`;
        return { file: file(relativePath), id: `id-${index}`, url: url + 'x'.repeat(Math.max(0, urlLength - url.length)), uploadType: 'simple' as const };
    });
}

describe('publishOutputs', () => {
    it('lists attachments in path order, whatever order the uploads finished in', () => {
        const outputs = new Map<string, string>();
        publishOutputs([attachment('b/z.log'), attachment('a.log', 'reused'), attachment('B.log', 'chunked')], [7, 3], sink(outputs), loc);

        assert.equal(outputs.get('AttachmentUrls'), 'https://x/B.log;https://x/a.log;https://x/b/z.log');
        assert.equal(outputs.get('AttachmentUrl'), 'https://x/B.log');
        assert.equal(outputs.get('AttachmentCount'), '3');
        assert.deepEqual(JSON.parse(outputs.get('Attachments') ?? ''), [
            { path: 'B.log', name: 'B.log', id: 'id-B.log', url: 'https://x/B.log', size: 1, uploadType: 'chunked' },
            { path: 'a.log', name: 'a.log', id: 'id-a.log', url: 'https://x/a.log', size: 1, uploadType: 'reused' },
            { path: 'b/z.log', name: 'z.log', id: 'id-b/z.log', url: 'https://x/b/z.log', size: 1, uploadType: 'simple' },
        ]);
        assert.equal(outputs.get('LinkedWorkItems'), '7,3');
    });

    it('percent-encodes a ; (and brackets, spaces, line breaks) inside a URL, in every output, so AttachmentUrls splits into whole URLs', () => {
        const outputs = new Map<string, string>();
        const evil = { ...attachment('a.log'), url: 'https://x/a;b?fileName=##vso[task.complete result=Failed]\n x' };
        publishOutputs([evil, attachment('b.log')], [], sink(outputs), loc);

        const expected = 'https://x/a%3Bb?fileName=##vso%5Btask.complete%20result=Failed%5D%0A%20x';
        assert.deepEqual((outputs.get('AttachmentUrls') ?? '').split(';'), [expected, 'https://x/b.log']);
        assert.equal(outputs.get('AttachmentUrl'), expected);
        assert.equal((JSON.parse(outputs.get('Attachments') ?? '') as { url: string }[])[0].url, expected);
    });

    it('escapes # in the Attachments JSON so that no logging command can form, and it parses back to the same names', () => {
        const outputs = new Map<string, string>();
        publishOutputs([attachment('##vso[task.setvariable variable=x]y\u2028.log')], [], sink(outputs), loc);

        const json = outputs.get('Attachments') ?? '';
        assert.ok(!json.includes('#') && !json.includes('\u2028'), json);
        assert.equal((JSON.parse(json) as { name: string }[])[0].name, '##vso[task.setvariable variable=x]y\u2028.log');
    });

    it('always writes the complete Attachments JSON to the file, and names it in AttachmentsFile', () => {
        const outputs = new Map<string, string>();
        const written: string[] = [];
        const warnings: string[] = [];
        publishOutputs([attachment('b.log'), attachment('a.log')], [], sink(outputs, written, warnings), loc);

        assert.deepEqual(written, [outputs.get('Attachments')]);
        assert.equal(outputs.get('AttachmentsFile'), 'C:/agent/_temp/list.json');
        assert.deepEqual(warnings, []);
    });

    it('cuts a big run to whole URLs and whole entries under the limits, warns once, and writes every attachment to the file', () => {
        const outputs = new Map<string, string>();
        const written: string[] = [];
        const warnings: string[] = [];
        const attachments = many(400, 120);
        publishOutputs(attachments, [1, 2, 3], sink(outputs, written, warnings), loc);

        const urls = outputs.get('AttachmentUrls') ?? '';
        const shown = urls.split(';');
        assert.ok(urls.length < 8000, `AttachmentUrls has ${urls.length} characters`);
        const total = [...outputs.values()].reduce((sum, value) => sum + value.length, 0);
        assert.ok(total < 24_000, `all outputs have ${total} characters`);
        const entries = JSON.parse(outputs.get('Attachments') ?? '') as { url: string }[];
        assert.deepEqual(entries.map((entry) => entry.url), shown, 'the same first attachments in both');
        assert.deepEqual(shown, attachments.slice(0, shown.length).map((a) => a.url), 'whole URLs, the first ones in path order');
        assert.equal(outputs.get('AttachmentUrl'), attachments[0].url);
        assert.equal(outputs.get('AttachmentCount'), '400');
        assert.equal(outputs.get('LinkedWorkItems'), '1,2,3');
        assert.equal((JSON.parse(written[0]) as unknown[]).length, 400);
        assert.deepEqual(warnings, [`OutputsCut(${shown.length}, 400, 8000, 24000, C:/agent/_temp/list.json)`]);
    });

    it('says so when the file cannot be written, and leaves AttachmentsFile empty', () => {
        const outputs = new Map<string, string>();
        const warnings: string[] = [];
        publishOutputs(many(400), [], sink(outputs, [], warnings, true), loc);

        assert.equal(outputs.get('AttachmentsFile'), '');
        assert.equal(warnings.length, 2);
        assert.equal(warnings[0], 'AttachmentsFileFailed(ENOSPC: no space left on device)');
        assert.match(warnings[1], /^OutputsCutNoFile\(\d+, 400, 8000, 24000\)$/);
    });

    it('keeps whole work item IDs in LinkedWorkItems when they do not all fit, and says so', () => {
        const outputs = new Map<string, string>();
        const warnings: string[] = [];
        const ids = Array.from({ length: 30 }, (_, index) => 100_000 + index);
        publishOutputs([attachment('a.log')], ids, sink(outputs, [], warnings), loc, { list: 100, total: 10_000 });

        assert.equal(outputs.get('LinkedWorkItems'), ids.slice(0, 14).join(','));
        assert.deepEqual(warnings, ['LinkedWorkItemsCut(14, 30, 100)']);
        assert.equal(outputs.get('AttachmentUrls'), 'https://x/a.log', 'the attachments still fit');
    });

    it('sets every output, empty, when nothing was uploaded', () => {
        const outputs = new Map<string, string>();
        publishOutputs([], [], sink(outputs), loc);
        assert.deepEqual(Object.fromEntries(outputs), { AttachmentUrls: '', AttachmentUrl: '', AttachmentCount: '0', Attachments: '[]', AttachmentsFile: 'C:/agent/_temp/list.json', LinkedWorkItems: '' });
    });
});

describe('fitOutputs', () => {
    const limits = { list: 100, total: 400 };

    it('keeps everything when it fits', () => {
        const fitted = fitOutputs(outputEntries(many(2, 40)), [5], 'f.json', { list: 100, total: 1000 });
        assert.equal(fitted.attachmentsShown, 2);
        assert.equal(fitted.values.AttachmentUrls.split(';').length, 2);
    });

    it('stops before the URL list would reach the list limit', () => {
        // 40 + 1 + 40 = 81 fits under 100; a third URL makes 122.
        const fitted = fitOutputs(outputEntries(many(5, 40)), [], 'f.json', { list: 100, total: 10_000 });
        assert.equal(fitted.attachmentsShown, 2);
        assert.equal(fitted.values.AttachmentUrls.length, 81);
        assert.equal((JSON.parse(fitted.values.Attachments) as unknown[]).length, 2);
    });

    it('stops before all outputs together would reach the total limit, counting AttachmentUrl and the file path', () => {
        const entries = outputEntries(many(5, 40));
        const fitted = fitOutputs(entries, [], 'f.json', { list: 10_000, total: 400 });
        const total = Object.values(fitted.values).reduce((sum, value) => sum + value.length, 0);
        assert.ok(total < 400, `${total}`);
        const oneMore = fitOutputs(entries.slice(0, fitted.attachmentsShown + 1), [], 'f.json', { list: 10_000, total: 1_000_000 });
        assert.ok(Object.values(oneMore.values).reduce((sum, value) => sum + value.length, 0) >= 400, 'one more would not have fitted');
    });

    it('leaves AttachmentUrl empty when not even the first URL fits, and keeps the count and the file whole', () => {
        const fitted = fitOutputs(outputEntries(many(3, 150)), [], 'C:/agent/_temp/list.json', limits);
        assert.equal(fitted.attachmentsShown, 0);
        assert.deepEqual(fitted.values, { AttachmentUrls: '', AttachmentUrl: '', AttachmentCount: '3', Attachments: '[]', AttachmentsFile: 'C:/agent/_temp/list.json', LinkedWorkItems: '' });
    });

    it('keeps whole work item IDs under the list limit', () => {
        const ids = Array.from({ length: 30 }, (_, index) => 100_000 + index);
        const fitted = fitOutputs([], ids, '', limits);
        // 16 IDs of 6 digits and 15 commas make 111; 14 and 13 make 97.
        assert.equal(fitted.workItemsShown, 14);
        assert.equal(fitted.values.LinkedWorkItems, ids.slice(0, 14).join(','));
    });
});

describe('summaryMarkdown', () => {
    const loc = (key: string) => ({ SummaryTitle: 'Title', SummaryColumns: 'File|Size|Upload|Attachment|Work items', SummaryWorkItemFailures: 'Failures' })[key] ?? key;

    it('writes one row per file and keeps pipes and line breaks inside their cells, shown as escapes', () => {
        const markdown = summaryMarkdown(
            [
                { file: file('a|b.log', 2048), status: 'chunked', url: 'https://x/a (1).log', workItems: [1, 2] },
                { file: file('c.log'), status: 'the server said:\nno', workItems: [] },
            ],
            [{ subject: '#9', reason: 'missing' }],
            loc,
            'https://dev.azure.com/fabrikam/',
        );
        assert.equal(
            markdown,
            [
                '### Title',
                '',
                '| File | Size | Upload | Attachment | Work items |',
                '| --- | ---: | --- | --- | --- |',
                '| a\\|b.log | 2.00 KiB (2,048 bytes) | chunked | [a\\|b.log](https://x/a%20%281%29.log) | [#1](https://dev.azure.com/fabrikam/_workitems/edit/1), [#2](https://dev.azure.com/fabrikam/_workitems/edit/2) |',
                '| c.log | 1 bytes | the server said:\\\\nno |  |  |',
                '',
                '**Failures**',
                '',
                '- \\#9: missing',
                '',
            ].join('\n'),
        );
    });

    it('shows a name built to render as a link, an image or HTML as the text it is, and links only to the safe URL', () => {
        const name = '[x](http://evil)![i](http://evil/i.png)<img src=x>*b*_i_`c`.txt';
        const markdown = summaryMarkdown([{ file: { ...file('x.txt'), relativePath: name, name }, status: 'simple', url: 'https://x/a (1)|b', workItems: [] }], [], loc, 'https://x/');
        const row = markdown.split('\n')[4];
        const escaped = '\\[x\\]\\(http:\\/\\/evil\\)\\!\\[i\\]\\(http:\\/\\/evil/i.png\\)&lt;img src=x&gt;\\*b\\*\\_i\\_\\`c\\`.txt';
        assert.equal(row, `| ${escaped} | 1 bytes | simple | [${escaped}](https://x/a%20%281%29%7Cb) |  |`);
    });

    it('shows a URL that is not http(s) as text, never as a link', () => {
        const markdown = summaryMarkdown([{ file: file('a.txt'), status: 'simple', url: 'javascript:alert(1)', workItems: [] }], [], loc, 'https://x/');
        assert.equal(markdown.split('\n')[4], '| a.txt | 1 bytes | simple | javascript:alert\\(1\\) |  |');
    });

    it('links work item numbers to their pages through a collection URL made safe, or shows them as text when it is not http(s)', () => {
        const row = (collectionUrl: string) => summaryMarkdown([{ file: file('a.txt'), status: 'simple', workItems: [7] }], [], loc, collectionUrl).split('\n')[4];

        assert.equal(row('http://tfs:8080/tfs/Default Collection'), '| a.txt | 1 bytes | simple |  | [#7](http://tfs:8080/tfs/Default%20Collection/_workitems/edit/7) |');
        assert.equal(row('https://x/a)](javascript:alert(1))|/'), '| a.txt | 1 bytes | simple |  | [#7](https://x/a%29%5D%28javascript:alert%281%29%29%7C/_workitems/edit/7) |');
        assert.equal(row('javascript:alert(1)//'), '| a.txt | 1 bytes | simple |  | \\#7 |');
    });
});

