import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../scripts/package/project';

interface TaskJsonTexts {
    readonly helpMarkDown: string;
    readonly instanceNameFormat: string;
    readonly inputs: readonly { readonly name: string; readonly type: string }[];
    readonly outputVariables: readonly { readonly name: string; readonly description: string }[];
}

const taskJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tasks', 'UploadWorkItemAttachmentsV1', 'task.json'), 'utf8')) as TaskJsonTexts;
/** Inputs whose value is one line: the editor gives the others (multiLine, and a string YAML may fill with new lines) several. */
const ONE_LINE_TYPES = /^(filePath|pickList|boolean|radio|connectedService:.*)$/;

/** The output names in the first column of the table under `heading`. */
function outputTable(markdown: string, heading: RegExp): string[] {
    const lines = markdown.split('\n');
    const start = lines.findIndex((line) => heading.test(line));
    assert.ok(start >= 0, `no heading ${heading}`);
    const names: string[] = [];
    for (const line of lines.slice(start + 1)) {
        if (/^#/.test(line)) {
            break;
        }
        const match = /^\| `(\w+)` \|/.exec(line);
        if (match) {
            names.push(match[1]);
        }
    }
    return names;
}

describe('task.json texts the classic editor shows', () => {
    const outputs = taskJson.outputVariables.map((output) => output.name);

    it("name each output in helpMarkDown, and both the pipeline's token and a service connection's", () => {
        for (const output of outputs) {
            assert.ok(taskJson.helpMarkDown.includes(`\`${output}\``), output);
        }
        assert.match(taskJson.helpMarkDown, /pipeline's OAuth token/);
        assert.match(taskJson.helpMarkDown, /service connection/);
    });

    it('list the outputs the README and the overview list, in the same order', () => {
        assert.deepEqual(outputTable(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'), /^## Outputs/), outputs);
        assert.deepEqual(outputTable(fs.readFileSync(path.join(REPO_ROOT, 'overview.md'), 'utf8'), /^## Output variables/), outputs);
    });

    it('never describe an output as uploaded files only: reused files count too', () => {
        for (const { name, description } of taskJson.outputVariables) {
            if (/upload/i.test(description)) {
                assert.match(description, /reused/, `${name}: ${description}`);
            }
        }
        for (const name of ['AttachmentUrls', 'AttachmentUrl', 'AttachmentCount']) {
            assert.match(taskJson.outputVariables.find((output) => output.name === name)?.description ?? '', /uploaded now or reused/, name);
        }
    });

    it('keep the step name on one line: instanceNameFormat uses only one-line inputs', () => {
        const used = [...taskJson.instanceNameFormat.matchAll(/\$\(([^)]+)\)/g)].map((match) => match[1]);
        for (const name of used) {
            const input = taskJson.inputs.find((candidate) => candidate.name === name);
            assert.ok(input, `instanceNameFormat names '${name}', which is not an input`);
            assert.match(input.type, ONE_LINE_TYPES, `'${name}' (${input.type}) can hold several lines`);
        }
        assert.doesNotMatch(taskJson.instanceNameFormat, /\$\(contents\)/);
    });
});
