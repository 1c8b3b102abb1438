import * as assert from 'assert/strict';
import { cliLoc } from '../../cli/messages';
import { messages } from '../../tasks/UploadWorkItemAttachmentsV1/task.json';

describe('ado-attach: the words of the messages it shares with the task', () => {
    // What the engine says about a failed file or a found file reaches the command line too: it must speak of this
    // machine and of ado-attach, never send the user to a pipeline, an agent or a task they do not have.
    const shared = Object.keys(messages).filter((key) => /^(Failure|Find)/.test(key));

    it('has failure and find messages to check', () => {
        assert.ok(shared.length > 30, `only ${shared.length}`);
    });

    for (const key of shared) {
        it(`${key} speaks of ado-attach and this machine`, () => {
            const text = cliLoc(key, 'x', 1, 2, 3, 4, 5);
            assert.doesNotMatch(text, /\b(pipelines?|agents?|task)\b/i, text);
            for (const input of ['rootFolder', 'retries', 'concurrency', 'chunkSizeMB', 'stallTimeoutSeconds', 'allowFilesOutsideRoot', 'workItemIds']) {
                assert.ok(!text.includes(`'${input}'`), `names the task input '${input}': ${text}`);
            }
        });
    }
});
