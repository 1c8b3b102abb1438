import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MEBIBYTE } from '../../engine/settings';
import { InputError, readSettings } from '../../tasks/UploadWorkItemAttachmentsV1/src/inputs';

/** Formats like tl.loc does not matter here: the key and its values do. */
const loc = (key: string, ...params: (string | number)[]) => [key, ...params].join('|');

describe('readSettings', () => {
    let folder: string;

    beforeEach(() => {
        folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-inputs-'));
    });

    afterEach(() => {
        fs.rmSync(folder, { recursive: true, force: true });
    });

    function read(inputs: Record<string, string>, defaultWorkingDirectory: () => string | undefined = () => folder) {
        return readSettings({ getInput: (name) => inputs[name], defaultWorkingDirectory }, loc);
    }

    function rejects(inputs: Record<string, string>, expected: string) {
        assert.throws(() => read({ contents: '*', ...inputs }), (error: unknown) => error instanceof InputError && error.message === expected);
    }

    it('applies the documented defaults', () => {
        const settings = read({ contents: '**/*.zip' });
        assert.deepEqual(settings, {
            rootFolder: folder,
            patterns: ['**/*.zip'],
            areaPath: undefined,
            chunkSizeBytes: 8 * MEBIBYTE,
            uploadType: 'auto',
            ifNoFilesFound: 'warn',
            concurrency: 4,
            retries: 5,
            stallTimeoutMs: 120_000,
            allowFilesOutsideRoot: false,
            project: undefined,
            connection: undefined,
            workItemIds: [],
            linkRunWorkItems: false,
            comment: undefined,
            workItemQuery: undefined,
            maxWorkItems: 100,
            runWorkItemsScope: 'thisRun',
            replaceOlderVersions: false,
            discussionComment: false,
        });
    });

    it('reads work item IDs separated by commas, spaces and new lines, with or without #, each once', () => {
        const settings = read({ contents: '*', workItemIds: '12, #34\n56  12;#7', linkBuildWorkItems: 'True', comment: 'nightly' });
        assert.deepEqual(settings.workItemIds, [12, 34, 56, 7]);
        assert.equal(settings.linkRunWorkItems, true);
        assert.equal(settings.comment, 'nightly');
    });

    it('reads allowFilesOutsideRoot as a boolean and rejects anything else, naming the input', () => {
        assert.equal(read({ contents: '*', allowFilesOutsideRoot: 'TRUE' }).allowFilesOutsideRoot, true);
        rejects({ allowFilesOutsideRoot: 'yes' }, 'InputNotOneOf|allowFilesOutsideRoot|yes|true, false');
    });

    for (const bad of ['abc', '#', '0', '-3', '12a', '99999999999']) {
        it(`rejects work item ID '${bad}' naming the input, the value and what is allowed`, () => {
            rejects({ workItemIds: `5, ${bad}` }, `InputWorkItemIdInvalid|5, ${bad}|${bad}`);
        });
    }

    it('rejects a linkBuildWorkItems that is not a boolean', () => {
        rejects({ linkBuildWorkItems: 'yes' }, 'InputNotOneOf|linkBuildWorkItems|yes|true, false');
    });

    it('reads every input', () => {
        const settings = read({
            rootFolder: folder,
            contents: '*.zip\n!bad.zip',
            areaPath: 'Fabrikam\\Web',
            chunkSizeMB: '128',
            uploadType: 'Chunked',
            ifNoFilesFound: 'error',
            concurrency: '32',
            retries: '0',
            stallTimeoutSeconds: '5',
            project: 'Other',
            connection: 'b0a1c2d3',
        });
        assert.equal(settings.chunkSizeBytes, 128 * 1024 * 1024);
        assert.equal(settings.uploadType, 'chunked');
        assert.equal(settings.ifNoFilesFound, 'error');
        assert.equal(settings.concurrency, 32);
        assert.equal(settings.retries, 0);
        assert.equal(settings.stallTimeoutMs, 5_000);
        assert.deepEqual(settings.patterns, ['*.zip', '!bad.zip']);
        assert.equal(settings.areaPath, 'Fabrikam\\Web');
        assert.equal(settings.project, 'Other');
        assert.equal(settings.connection, 'b0a1c2d3');
    });

    for (const bad of ['abc', '0', '500', '1.5', '-1', '8MB', '0x10']) {
        it(`rejects chunkSizeMB '${bad}' naming the input, the value and the range`, () => {
            rejects({ chunkSizeMB: bad }, `InputNotWholeNumberInRange|chunkSizeMB|${bad}|1|128`);
        });
    }

    it('rejects concurrency and retries outside their ranges', () => {
        rejects({ concurrency: '0' }, 'InputNotWholeNumberInRange|concurrency|0|1|32');
        rejects({ concurrency: '33' }, 'InputNotWholeNumberInRange|concurrency|33|1|32');
        rejects({ retries: '11' }, 'InputNotWholeNumberInRange|retries|11|0|10');
    });

    it('rejects an unknown pick-list value listing the allowed ones', () => {
        rejects({ uploadType: 'fast' }, 'InputNotOneOf|uploadType|fast|auto, simple, chunked');
        rejects({ ifNoFilesFound: 'fail' }, 'InputNotOneOf|ifNoFilesFound|fail|warn, error, ignore');
    });

    it('rejects contents with nothing but comments, blanks and excludes', () => {
        assert.throws(() => read({ contents: '# only a comment\n\n!*.tmp' }), (error: unknown) => error instanceof InputError && error.message.startsWith('InputContentsEmpty|'));
    });

    it('rejects a root folder that does not exist or is a file', () => {
        rejects({ rootFolder: path.join(folder, 'missing') }, `InputRootFolderNotFound|${path.join(folder, 'missing')}`);
        const file = path.join(folder, 'file.txt');
        fs.writeFileSync(file, 'x');
        rejects({ rootFolder: file }, `InputRootFolderNotFolder|${file}`);
    });

    it('falls back to System.DefaultWorkingDirectory for an empty root folder', () => {
        assert.equal(read({ contents: '*', rootFolder: '' }).rootFolder, folder);
        assert.throws(() => read({ contents: '*' }, () => undefined), (error: unknown) => error instanceof InputError && error.message === 'InputRootFolderMissing');
    });
});
