import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
    CHOICE_RULES,
    existingFolder,
    matchPatterns,
    parseChoice,
    parseWholeNumber,
    parseWorkItemIds,
    WHOLE_NUMBER_RULES,
    WORK_ITEM_ID_RANGE,
    type FolderRefusals,
    type PatternRefusals,
} from '../../engine/inputRules';
import { REPO_ROOT } from '../../scripts/package/project';

/** The refusal the parsers throw, carrying what they handed the front door's message factory. */
class Refused extends Error {
    constructor(readonly what: string, readonly given: readonly unknown[]) {
        super(`${what}(${given.join(', ')})`);
    }
}

const refuse =
    (what: string) =>
    (...given: unknown[]) =>
        new Refused(what, given);

function refusedWith(action: () => unknown, what: string, ...given: unknown[]) {
    assert.throws(action, (error: unknown) => {
        assert.ok(error instanceof Refused, `threw ${String(error)}`);
        assert.equal(error.what, what);
        assert.deepEqual(error.given, given);
        return true;
    });
}

interface TaskInput {
    readonly name: string;
    readonly defaultValue?: string;
    readonly helpMarkDown?: string;
    readonly options?: Record<string, string>;
}

const taskInputs = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tasks', 'UploadWorkItemAttachmentsV1', 'task.json'), 'utf8')) as { inputs: TaskInput[] }
).inputs;

function taskInput(name: string): TaskInput {
    const input = taskInputs.find((candidate) => candidate.name === name);
    assert.ok(input, `task.json has no input ${name}`);
    return input;
}

describe('input rules: the table both front doors share', () => {
    it('holds the documented ranges and defaults of the whole numbers', () => {
        assert.deepEqual(WHOLE_NUMBER_RULES, {
            chunkSize: { min: 1, max: 128, fallback: 8 },
            concurrency: { min: 1, max: 32, fallback: 4 },
            retries: { min: 0, max: 10, fallback: 5 },
            stallTimeout: { min: 5, max: 3600, fallback: 120 },
            maxWorkItems: { min: 1, max: 1000, fallback: 100 },
        });
        assert.deepEqual(WORK_ITEM_ID_RANGE, { min: 1, max: 2_147_483_647 });
    });

    it('holds the allowed values and defaults of the choices', () => {
        assert.deepEqual(CHOICE_RULES, {
            uploadType: { allowed: ['auto', 'simple', 'chunked'], fallback: 'auto' },
            ifNoFilesFound: { allowed: ['warn', 'error', 'ignore'], fallback: 'warn' },
            runWorkItemsScope: { allowed: ['thisRun', 'sinceLastSuccessfulRun'], fallback: 'thisRun' },
            flag: { allowed: ['true', 'false'], fallback: 'false' },
        });
        for (const rule of Object.values(CHOICE_RULES)) {
            assert.ok((rule.allowed as readonly string[]).includes(rule.fallback), rule.fallback);
        }
    });

    for (const [input, rule] of [
        ['chunkSizeMB', WHOLE_NUMBER_RULES.chunkSize],
        ['concurrency', WHOLE_NUMBER_RULES.concurrency],
        ['retries', WHOLE_NUMBER_RULES.retries],
        ['stallTimeoutSeconds', WHOLE_NUMBER_RULES.stallTimeout],
        ['maxWorkItems', WHOLE_NUMBER_RULES.maxWorkItems],
    ] as const) {
        it(`agrees with task.json on ${input}: its default and the range its help gives`, () => {
            assert.equal(taskInput(input).defaultValue, String(rule.fallback));
            assert.match(taskInput(input).helpMarkDown ?? '', new RegExp(`a whole number from ${rule.min} to ${rule.max}\\b`));
        });
    }

    for (const [input, rule] of [
        ['uploadType', CHOICE_RULES.uploadType],
        ['ifNoFilesFound', CHOICE_RULES.ifNoFilesFound],
        ['runWorkItemsScope', CHOICE_RULES.runWorkItemsScope],
    ] as const) {
        it(`agrees with task.json on the pick list ${input}: its options, in order, and its default`, () => {
            assert.deepEqual(Object.keys(taskInput(input).options ?? {}), rule.allowed);
            assert.equal(taskInput(input).defaultValue, rule.fallback);
        });
    }
});

describe('input rules: parseWholeNumber', () => {
    const rule = { min: 5, max: 3600, fallback: 120 };

    it('gives the default for a value left out', () => {
        assert.equal(parseWholeNumber(undefined, rule, refuse('range')), 120);
    });

    it('accepts both ends of the range and leading zeros', () => {
        assert.equal(parseWholeNumber('5', rule, refuse('range')), 5);
        assert.equal(parseWholeNumber('3600', rule, refuse('range')), 3600);
        assert.equal(parseWholeNumber('0042', rule, refuse('range')), 42);
    });

    for (const bad of ['4', '3601', '0', '', ' 8', '8 ', '-5', '+8', '1.5', '1e2', '0x10', '8MB', 'many', '99999999999999999999']) {
        it(`refuses '${bad}', handing the factory the value as given and throwing what it built`, () => {
            refusedWith(() => parseWholeNumber(bad, rule, refuse('range')), 'range', bad);
        });
    }

    it('lets 0 through where the range starts at 0', () => {
        assert.equal(parseWholeNumber('0', WHOLE_NUMBER_RULES.retries, refuse('range')), 0);
    });
});

describe('input rules: parseChoice', () => {
    it('gives the default for a value left out', () => {
        assert.equal(parseChoice(undefined, CHOICE_RULES.ifNoFilesFound, refuse('choice')), 'warn');
        assert.equal(parseChoice(undefined, { allowed: ['a', 'b'], fallback: 'b' }, refuse('choice')), 'b');
    });

    it('matches without case or surrounding blanks, and answers the spelling of the table', () => {
        assert.equal(parseChoice(' Chunked ', CHOICE_RULES.uploadType, refuse('choice')), 'chunked');
        assert.equal(parseChoice('SINCELASTSUCCESSFULRUN', CHOICE_RULES.runWorkItemsScope, refuse('choice')), 'sinceLastSuccessfulRun');
        assert.equal(parseChoice('True', CHOICE_RULES.flag, refuse('choice')), 'true');
    });

    for (const bad of ['fast', '', 'auto simple', 'yes']) {
        it(`refuses '${bad}', handing the factory the value as given`, () => {
            refusedWith(() => parseChoice(bad, CHOICE_RULES.uploadType, refuse('choice')), 'choice', bad);
        });
    }
});

describe('input rules: parseWorkItemIds', () => {
    const badId = refuse('badId');

    it('splits on commas, semicolons, spaces and new lines, takes #123, keeps the first of each ID in order', () => {
        assert.deepEqual(parseWorkItemIds(['12, #34\n56  12;#7'], { badId }), [12, 34, 56, 7]);
        assert.deepEqual(parseWorkItemIds(['12,#7', '#12', '3 , 7'], { badId }), [12, 7, 3]);
    });

    it('accepts the largest ID the service has, and refuses one past it', () => {
        assert.deepEqual(parseWorkItemIds([String(WORK_ITEM_ID_RANGE.max)], { badId }), [2_147_483_647]);
        refusedWith(() => parseWorkItemIds(['5, 2147483648'], { badId }), 'badId', '5, 2147483648', '2147483648');
    });

    for (const bad of ['abc', '#', '0', '-3', '12a', '##5', '1.5', '99999999999']) {
        it(`refuses '${bad}', handing the factory the whole value and the token`, () => {
            refusedWith(() => parseWorkItemIds([`5, ${bad}`], { badId }), 'badId', `5, ${bad}`, bad);
        });
    }

    it('takes a value without IDs as none, unless the caller refuses it', () => {
        assert.deepEqual(parseWorkItemIds(['', ' ,; '], { badId }), []);
        refusedWith(() => parseWorkItemIds(['3', ' ,'], { badId, noId: refuse('noId') }), 'noId', ' ,');
    });
});

describe('input rules: existingFolder', () => {
    let folder: string;
    const refusals: FolderRefusals = { missing: refuse('missing'), notFound: refuse('notFound'), notAFolder: refuse('notAFolder') };

    beforeEach(() => {
        folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-input-rules-'));
        fs.mkdirSync(path.join(folder, 'out'));
        fs.writeFileSync(path.join(folder, 'file.txt'), 'x');
    });

    afterEach(() => {
        fs.rmSync(folder, { recursive: true, force: true });
    });

    it('resolves a relative folder against the folder it is relative to, and keeps an absolute one', () => {
        assert.equal(existingFolder('out', folder, refusals), path.join(folder, 'out'));
        assert.equal(existingFolder(path.join(folder, 'out'), os.tmpdir(), refusals), path.join(folder, 'out'));
    });

    it('refuses no folder, a missing one and a file, naming the folder as given', () => {
        refusedWith(() => existingFolder('', folder, refusals), 'missing');
        refusedWith(() => existingFolder('missing', folder, refusals), 'notFound', 'missing');
        refusedWith(() => existingFolder('file.txt', folder, refusals), 'notAFolder', 'file.txt');
    });
});

describe('input rules: matchPatterns', () => {
    const refusals: PatternRefusals = { none: refuse('none'), onlyExcludes: refuse('onlyExcludes') };

    it('trims each pattern and drops the blank ones, keeping the order', () => {
        assert.deepEqual(matchPatterns([' *.zip ', '', '   ', '!bad.zip'], refusals), ['*.zip', '!bad.zip']);
    });

    it('refuses no pattern at all', () => {
        refusedWith(() => matchPatterns([], refusals), 'none');
        refusedWith(() => matchPatterns([' ', ''], refusals), 'none');
    });

    it('refuses patterns that all exclude, handing the factory the trimmed patterns', () => {
        assert.throws(
            () => matchPatterns([' !**/*.tmp', '!x'], refusals),
            (error: unknown) => error instanceof Refused && error.what === 'onlyExcludes' && JSON.stringify(error.given) === JSON.stringify([['!**/*.tmp', '!x']]),
        );
    });
});
