import * as path from 'path';
import Ajv from 'ajv-draft-04';
import { REPO_ROOT, TASK_CONTRIBUTION_TYPE, readJson, taskVersionText, type Project } from './project';

/**
 * The official task.json schema (draft-04, from microsoft/azure-pipelines-task-lib), copied into the repository so that
 * packaging works from a fresh clone on any CI. A test keeps it identical to ../shared/reference/tasks.schema.json.
 */
export const TASK_SCHEMA_FILE = path.join(REPO_ROOT, 'scripts', 'package', 'tasks.schema.json');
export const SHARED_TASK_SCHEMA_FILE = path.join(REPO_ROOT, '..', 'shared', 'reference', 'tasks.schema.json');

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
        if (version && taskVersionText(version) !== manifest.version) {
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
    for (const contribution of contributed) {
        if (!project.tasks.some((task) => task.folder === contribution.properties?.name)) {
            problems.push(`vss-extension.json: contribution '${contribution.id}' names '${contribution.properties?.name}', which is not a task folder.`);
        }
    }
    return problems;
}
