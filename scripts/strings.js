// Writes Strings/resources.resjson/en-US/resources.resjson from task.json, the way Microsoft's tasks lay out
// their localizable strings. `--check` fails instead of writing when the file is out of date.
'use strict';
const fs = require('fs');
const path = require('path');

const taskFolder = path.join(__dirname, '..', 'tasks', 'UploadWorkItemAttachmentsV1');
const target = path.join(taskFolder, 'Strings', 'resources.resjson', 'en-US', 'resources.resjson');

function resourceStrings(task) {
    const strings = {
        'loc.friendlyName': task.friendlyName,
        'loc.helpMarkDown': task.helpMarkDown,
        'loc.description': task.description,
        'loc.instanceNameFormat': task.instanceNameFormat,
    };
    for (const group of task.groups ?? []) {
        strings[`loc.group.displayName.${group.name}`] = group.displayName;
    }
    for (const input of task.inputs ?? []) {
        strings[`loc.input.label.${input.name}`] = input.label;
        if (input.helpMarkDown) {
            strings[`loc.input.help.${input.name}`] = input.helpMarkDown;
        }
    }
    for (const [key, message] of Object.entries(task.messages ?? {})) {
        strings[`loc.messages.${key}`] = message;
    }
    return `${JSON.stringify(strings, null, 2)}\n`;
}

const expected = resourceStrings(JSON.parse(fs.readFileSync(path.join(taskFolder, 'task.json'), 'utf8')));
if (process.argv.includes('--check')) {
    const actual = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (actual !== expected) {
        console.error(`${path.relative(process.cwd(), target)} is out of date with task.json: run npm run strings`);
        process.exitCode = 1;
    }
} else {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, expected);
}
