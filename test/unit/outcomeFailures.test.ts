import * as assert from 'assert/strict';
import { cliLoc } from '../../cli/messages';
import type { ArtifactFile } from '../../engine/find/findArtifacts';
import { HttpError } from '../../engine/http/errors';
import { listFailures } from '../../engine/outcomeFailures';
import { describeFailure, type FailureContext } from '../../engine/text/failures';
import type { Localize } from '../../engine/text/localize';

function file(relativePath: string, size = 10): ArtifactFile {
    const name = relativePath.split('/').pop() ?? relativePath;
    return { absolutePath: `/root/${relativePath}`, relativePath, name, size, fingerprint: { dev: 0n, ino: 0n, size: BigInt(size), mtimeNs: 0n, ctimeNs: 0n } };
}

/** Shows which key and which values made each reason, so an entry with the wrong words or the wrong file fails. */
const keyLoc: Localize = (key, ...params) => `${key}(${params.join('|')})`;
const describeNamed = (error: unknown, described?: ArtifactFile) => `described ${String(error)} for ${described?.relativePath ?? 'no file'}`;

describe('listFailures', () => {
    it('lists failed files, then files never started, then work items, each in the order the engine kept them', () => {
        const [a, b, c, d] = ['drop/a.bin', 'drop/b.bin', 'drop/c.bin', 'drop/d.bin'].map((path) => file(path));

        const failures = listFailures(
            {
                failed: [
                    { file: b, error: 'locked' },
                    { file: a, error: 'refused' },
                ],
                notStarted: [d, c],
                workItemFailures: [
                    { subject: 'the build', reason: 'lookup failed' },
                    { subject: '#12', workItem: 12, paths: ['drop/a.bin', 'drop/c.bin'], reason: 'link failed' },
                    { subject: '#404', workItem: 404, reason: 'not found' },
                ],
            },
            describeNamed,
            keyLoc,
        );

        assert.deepEqual(failures, [
            { kind: 'fileFailed', subject: 'drop/b.bin', file: b, reason: 'described locked for drop/b.bin' },
            { kind: 'fileFailed', subject: 'drop/a.bin', file: a, reason: 'described refused for drop/a.bin' },
            { kind: 'fileNotStarted', subject: 'drop/d.bin', file: d, reason: 'FileNotStarted()' },
            { kind: 'fileNotStarted', subject: 'drop/c.bin', file: c, reason: 'FileNotStarted()' },
            { kind: 'workItem', subject: 'the build', reason: 'lookup failed' },
            { kind: 'workItem', subject: '#12', workItem: 12, paths: ['drop/a.bin', 'drop/c.bin'], reason: 'link failed' },
            { kind: 'workItem', subject: '#404', workItem: 404, reason: 'not found' },
        ]);
    });

    it('gives the reasons in the words of the engine’s messages: the failure explained, the file never started named in its sentence', () => {
        const context: FailureContext = { identity: 'the build identity', attempts: 3, stallTimeoutMs: 5000 };
        const rejected = file('notes.txt');
        const skipped = file('later.txt');

        const failures = listFailures(
            { failed: [{ file: rejected, error: new HttpError(400, 'TF400898: An Internal Error Occurred.', undefined, {}) }], notStarted: [skipped], workItemFailures: [] },
            (error, failed) => describeFailure(error, failed, context, cliLoc),
            cliLoc,
        );

        assert.deepEqual(
            failures.map(({ kind, subject, reason }) => ({ kind, subject, reason })),
            [
                { kind: 'fileFailed', subject: 'notes.txt', reason: 'the server rejected the upload (HTTP 400): TF400898: An Internal Error Occurred.' },
                { kind: 'fileNotStarted', subject: 'later.txt', reason: 'not attempted, because an earlier failure would have failed it the same way.' },
            ],
        );
    });

    it('is empty when nothing failed, and then describes nothing', () => {
        const failures = listFailures({ failed: [], notStarted: [], workItemFailures: [] }, () => assert.fail('nothing to describe'), () => assert.fail('nothing to say'));

        assert.deepEqual(failures, []);
    });
});
