import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import { REPO_ROOT, TASK_CONTRIBUTION_TYPE, readJson, taskVersionText, type Project } from './project';

/**
 * The official task.json schema (draft-04, from microsoft/azure-pipelines-task-lib), copied into the repository so that
 * packaging works from a fresh clone on any CI. A test keeps it identical to ../shared/reference/tasks.schema.json.
 */
export const TASK_SCHEMA_FILE = path.join(REPO_ROOT, 'scripts', 'package', 'tasks.schema.json');
export const SHARED_TASK_SCHEMA_FILE = path.join(REPO_ROOT, '..', 'shared', 'reference', 'tasks.schema.json');

/**
 * Why a missing ../shared copy of the schema is a failure: on CI (`CI=true`) the comparison must run, so a missing copy
 * fails the test; on a developer's clone without ../shared there is nothing to compare with. Undefined: skip.
 */
export function missingSharedSchemaFailure(env: NodeJS.ProcessEnv): string | undefined {
    return env.CI?.trim().toLowerCase() === 'true'
        ? `${SHARED_TASK_SCHEMA_FILE} is missing and CI=true: CI must compare scripts/package/tasks.schema.json with the official copy.`
        : undefined;
}

export type TaskValidator = (taskJson: unknown) => string[];

/** Problems of a task.json against the schema, one readable line each; empty when it validates. */
export function createTaskValidator(schema: object = readJson(TASK_SCHEMA_FILE) as object): TaskValidator {
    // The schema is not ours: its patterns are not unicode-safe and it uses union types, which ajv's strict mode rejects.
    const ajv = new Ajv({ allErrors: true, unicodeRegExp: false, strict: false });
    const validate = ajv.compile(schema);
    return (taskJson) => {
        if (validate(taskJson)) {
            return [];
        }
        return (validate.errors ?? []).map((error) => {
            const where = error.instancePath === '' ? '(root)' : error.instancePath;
            const detail = 'additionalProperty' in error.params ? ` '${String(error.params.additionalProperty)}'` : '';
            return `${where} ${error.message ?? 'is invalid'}${detail}`;
        });
    };
}

/**
 * Everything tfx would only warn about, or not notice at all, and that makes a VSIX that fails on the agent:
 * a task.json off the schema, a task version that differs from the extension version, a task folder that
 * vss-extension.json does not contribute or ship.
 */
export function checkProject(project: Project, validateTask: TaskValidator): string[] {
    const { manifest } = project;
    const problems: string[] = [];
    if (!/^\d+\.\d+\.\d+$/.test(manifest.version ?? '')) {
        problems.push(`vss-extension.json: version is '${manifest.version}', but it must be Major.Minor.Patch, for example 1.0.0.`);
    }
    if (project.tasks.length === 0) {
        problems.push('tasks/: no folder holds a task.json.');
    }
    const contributed = (manifest.contributions ?? []).filter((contribution) => contribution.type === TASK_CONTRIBUTION_TYPE);
    const shipped = new Set((manifest.files ?? []).map((file) => file.path));
    for (const task of project.tasks) {
        const file = `${task.folder}/task.json`;
        problems.push(...validateTask(task.taskJson).map((problem) => `${file}: ${problem}`));
        const version = task.taskJson.version;
        const olderMajor = olderMajorFolder(task.folder, manifest.version);
        if (version && olderMajor !== undefined) {
            // A ...V1 folder beside ...V2 keeps its own 1.x version, so that pipelines naming @1 keep running it.
            if (version.Major !== olderMajor) {
                problems.push(`${file}: version is ${taskVersionText(version)}, but a folder named V${olderMajor} must hold major version ${olderMajor}.`);
            }
        } else if (version && taskVersionText(version) !== manifest.version) {
            problems.push(
                `${file}: version is ${taskVersionText(version)}, but vss-extension.json's is ${manifest.version}. ` +
                    'Change both at once with `npm run version:bump -- patch|minor|major|x.y.z`.',
            );
        }
        if (!contributed.some((contribution) => contribution.properties?.name === task.folder)) {
            problems.push(`vss-extension.json: no ${TASK_CONTRIBUTION_TYPE} contribution has properties.name '${task.folder}'.`);
        }
        if (!shipped.has(task.folder)) {
            problems.push(`vss-extension.json: no entry in files has path '${task.folder}', so the task would not be in the VSIX.`);
        }
    }
    problems.push(...checkOverviewPictures(project));
    for (const contribution of contributed) {
        if (!project.tasks.some((task) => task.folder === contribution.properties?.name)) {
            problems.push(`vss-extension.json: contribution '${contribution.id}' names '${contribution.properties?.name}', which is not a task folder.`);
        }
    }
    return problems;
}

/** `![alt](images/x.png)` in the overview: a relative picture the Marketplace page can only show when the VSIX ships it. */
const MARKDOWN_PICTURE = /!\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

/** Every relative picture in the overview (content.details) exists and is an addressable files entry of the manifest. */
export function checkOverviewPictures(project: Project): string[] {
    const overview = project.manifest.content?.details?.path;
    if (!overview || !fs.existsSync(path.join(project.root, overview))) {
        return overview ? [`vss-extension.json: content.details names '${overview}', which does not exist.`] : [];
    }
    const text = fs.readFileSync(path.join(project.root, overview), 'utf8');
    const problems: string[] = [];
    for (const [, target] of text.matchAll(MARKDOWN_PICTURE)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
            continue;
        }
        const file = path.posix.normalize(target);
        if (!fs.existsSync(path.join(project.root, file))) {
            problems.push(`${overview}: shows '${target}', which does not exist.`);
        }
        if (!(project.manifest.files ?? []).some((entry) => entry.path === file && entry.addressable === true)) {
            problems.push(`${overview}: shows '${target}', but vss-extension.json has no files entry { "path": "${file}", "addressable": true }, so the page would show a broken picture.`);
        }
    }
    return problems;
}

/** The major version of a task folder named `...V<n>` with n lower than the extension's major; undefined otherwise. */
function olderMajorFolder(folder: string, extensionVersion: string): number | undefined {
    const folderMajor = /V(\d+)$/.exec(folder);
    const extensionMajor = /^(\d+)\./.exec(extensionVersion ?? '');
    if (!folderMajor || !extensionMajor) {
        return undefined;
    }
    return Number(folderMajor[1]) < Number(extensionMajor[1]) ? Number(folderMajor[1]) : undefined;
}
