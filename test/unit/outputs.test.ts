import * as assert from 'assert/strict';
import type { ArtifactFile } from '../../tasks/UploadWorkItemAttachmentsV1/src/findArtifacts';
import { publishOutputs, type AttachmentOutput } from '../../tasks/UploadWorkItemAttachmentsV1/src/outputs';
import { summaryMarkdown } from '../../tasks/UploadWorkItemAttachmentsV1/src/summary';

function file(relativePath: string, size = 1): ArtifactFile {
    return { absolutePath: `/root/${relativePath}`, relativePath, name: relativePath.split('/').pop() ?? relativePath, size, fingerprint: { dev: 0n, ino: 0n, size: BigInt(size), mtimeNs: 0n, ctimeNs: 0n } };
}

function attachment(relativePath: string, uploadType: AttachmentOutput['uploadType'] = 'simple'): AttachmentOutput {
    return { file: file(relativePath), id: `id-${relativePath}`, url: `https://x/${relativePath}`, uploadType };
}

describe('publishOutputs', () => {
    it('lists attachments in path order, whatever order the uploads finished in', () => {
        const outputs = new Map<string, string>();
        publishOutputs([attachment('b/z.log'), attachment('a.log', 'reused'), attachment('B.log', 'chunked')], [7, 3], (name, value) => outputs.set(name, value));

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

    it('sets every output, empty, when nothing was uploaded', () => {
        const outputs = new Map<string, string>();
        publishOutputs([], [], (name, value) => outputs.set(name, value));
        assert.deepEqual(Object.fromEntries(outputs), { AttachmentUrls: '', AttachmentUrl: '', AttachmentCount: '0', Attachments: '[]', LinkedWorkItems: '' });
    });
});

describe('summaryMarkdown', () => {
    const loc = (key: string) => ({ SummaryTitle: 'Title', SummaryColumns: 'File|Size|Upload|Attachment|Work items', SummaryWorkItemFailures: 'Failures' })[key] ?? key;

    it('writes one row per file and keeps pipes and line breaks inside their cells', () => {
        const markdown = summaryMarkdown(
            [
                { file: file('a|b.log', 2048), status: 'chunked', url: 'https://x/a (1).log', workItems: [1, 2] },
                { file: file('c.log'), status: 'the server said:\nno', workItems: [] },
            ],
            [{ subject: '#9', reason: 'missing' }],
            loc,
        );
        assert.equal(
            markdown,
            [
                '### Title',
                '',
                '| File | Size | Upload | Attachment | Work items |',
                '| --- | ---: | --- | --- | --- |',
                '| a\\|b.log | 2.00 KiB (2,048 bytes) | chunked | [a\\|b.log](https://x/a%20(1%29.log) | #1, #2 |',
                '| c.log | 1 bytes | the server said: no |  |  |',
                '',
                '**Failures**',
                '',
                '- #9: missing',
                '',
            ].join('\n'),
        );
    });
});
