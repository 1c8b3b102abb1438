import type { ServiceError } from './errors';
import type { Exchange } from './exchange';
import type { BuildSeed, DeploymentSeed } from './types';

/*
 * "Builds - List", "Builds - Get Work Items Between Builds", "Deployments - List" and the release work items with a
 * base release, as build 7.1 and release 7.1 specify them. Enum filters arrive as numbers from node-api and as names
 * from other clients; the service binds both, and refuses a value it does not know.
 */
const buildStatus: Record<string, number> = { none: 0, inprogress: 1, completed: 2, cancelling: 4, postponed: 8, notstarted: 32, all: 47 };
const buildResult: Record<string, number> = { none: 0, succeeded: 2, partiallysucceeded: 4, failed: 8, canceled: 32 };
const buildOrder: Record<string, number> = { finishtimeascending: 2, finishtimedescending: 3, queuetimedescending: 4, queuetimeascending: 5, starttimedescending: 6, starttimeascending: 7 };
const deploymentStatus: Record<string, number> = { undefined: 0, notdeployed: 1, inprogress: 2, succeeded: 4, partiallysucceeded: 8, failed: 16, all: 31 };
const releaseOrder: Record<string, number> = { descending: 0, ascending: 1 };

function badFilter(name: string, value: string): ServiceError {
    return { status: 400, message: `TF900010: The value '${value}' of ${name} is not valid.`, typeKey: 'ArgumentException' };
}

/** A flags or plain enum value given by name (any case) or number; undefined when absent; an error when unknown. */
function enumValue(ex: Exchange, name: string, values: Record<string, number>): number | undefined | ServiceError {
    const raw = ex.q(name);
    if (raw === undefined || raw === '') {
        return undefined;
    }
    let result = 0;
    for (const part of raw.split(',').map((piece) => piece.trim().toLowerCase())) {
        const value = /^\d+$/.test(part) ? Number(part) : values[part];
        if (value === undefined || (/^\d+$/.test(part) && !Object.values(values).includes(value))) {
            return badFilter(name, raw);
        }
        result |= value;
    }
    return result;
}

function wholeNumber(ex: Exchange, name: string): number | undefined | ServiceError {
    const raw = ex.q(name);
    if (raw === undefined || raw === '') {
        return undefined;
    }
    return /^\d+$/.test(raw.trim()) ? Number(raw) : badFilter(name, raw);
}

function isError(value: unknown): value is ServiceError {
    return typeof value === 'object' && value !== null && 'status' in value;
}

export class RunStore {
    constructor(
        private readonly collectionUrl: string,
        private readonly builds: BuildSeed[],
        private readonly buildWorkItems: Map<string, number[]>,
        private readonly deployments: DeploymentSeed[],
        private readonly releaseWorkItems: Map<string, number[]>,
        /** Refs returned when a work item route gets no `$top` (EmulatorOptions.workItemRefsDefaultTop); none: all. */
        private readonly refsDefaultTop?: number,
    ) {}

    /** The work items of one build: from `buildWorkItems`, else the build seed's own. */
    workItemsOfBuild(id: number): number[] {
        return this.buildWorkItems.get(String(id)) ?? this.builds.find((build) => build.id === id)?.workItems ?? [];
    }

    listBuilds(ex: Exchange): Promise<void> {
        const status = enumValue(ex, 'statusFilter', buildStatus);
        const result = enumValue(ex, 'resultFilter', buildResult);
        const order = enumValue(ex, 'queryOrder', buildOrder);
        const top = wholeNumber(ex, '$top');
        for (const value of [status, result, order, top]) {
            if (isError(value)) {
                return ex.fail(value);
            }
        }
        const definitions = (ex.q('definitions') ?? '').split(',').filter((part) => part.trim() !== '').map(Number);
        const branch = ex.q('branchName');
        let found = this.builds.filter(
            (build) =>
                (definitions.length === 0 || definitions.includes(build.definitionId)) &&
                (branch === undefined || branch === '' || build.sourceBranch.toLowerCase() === branch.toLowerCase()) &&
                (status === undefined || (buildStatus[(build.status ?? 'completed').toLowerCase()] & (status as number)) !== 0) &&
                (result === undefined || (build.result !== undefined && (buildResult[build.result.toLowerCase()] & (result as number)) !== 0)),
        );
        const finish = (build: BuildSeed) => build.finishTime ?? '';
        if (order === buildOrder.finishtimedescending) {
            found = found.sort((a, b) => finish(b).localeCompare(finish(a)));
        } else if (order === buildOrder.finishtimeascending) {
            found = found.sort((a, b) => finish(a).localeCompare(finish(b)));
        } else {
            found = found.sort((a, b) => b.id - a.id);
        }
        const value = found.slice(0, (top as number | undefined) ?? found.length).map((build) => ({
            id: build.id,
            buildNumber: `${build.id}`,
            status: build.status ?? 'completed',
            result: build.result,
            finishTime: build.finishTime,
            sourceBranch: build.sourceBranch,
            definition: { id: build.definitionId },
            url: `${this.collectionUrl}_apis/build/Builds/${build.id}`,
        }));
        return ex.json(200, { count: value.length, value });
    }

    /**
     * Work items of the builds after `fromBuildId` (excluded) up to `toBuildId` (included), of `toBuildId`'s definition
     * and branch: the service walks the changes between the two builds' commits, which another branch's runs are not on.
     */
    workItemsBetween(ex: Exchange): Promise<void> {
        const from = wholeNumber(ex, 'fromBuildId');
        const to = wholeNumber(ex, 'toBuildId');
        if (isError(from) || isError(to) || from === undefined || to === undefined) {
            return ex.fail(badFilter('fromBuildId/toBuildId', `${ex.q('fromBuildId')}/${ex.q('toBuildId')}`));
        }
        const last = this.builds.find((build) => build.id === to);
        const ids = this.builds
            .filter((build) => build.id > from && build.id <= to && (!last || (build.definitionId === last.definitionId && build.sourceBranch === last.sourceBranch)))
            .sort((a, b) => a.id - b.id)
            .flatMap((build) => this.workItemsOfBuild(build.id));
        return ex.json(200, refs(this.collectionUrl, [...new Set(ids)], ex.q('$top') ?? defaultTop(this.refsDefaultTop)));
    }

    listDeployments(ex: Exchange): Promise<void> {
        const status = enumValue(ex, 'deploymentStatus', deploymentStatus);
        const order = enumValue(ex, 'queryOrder', releaseOrder);
        const top = wholeNumber(ex, '$top');
        const definitionId = wholeNumber(ex, 'definitionId');
        const environmentId = wholeNumber(ex, 'definitionEnvironmentId');
        for (const value of [status, order, top, definitionId, environmentId]) {
            if (isError(value)) {
                return ex.fail(value);
            }
        }
        const found = this.deployments
            .filter(
                (deployment) =>
                    (definitionId === undefined || deployment.definitionId === definitionId) &&
                    (environmentId === undefined || deployment.definitionEnvironmentId === environmentId) &&
                    (status === undefined || (deploymentStatus[deployment.status.toLowerCase()] & (status as number)) !== 0),
            )
            .sort((a, b) => (order === releaseOrder.ascending ? a.id - b.id : b.id - a.id));
        const value = found.slice(0, (top as number | undefined) ?? found.length).map((deployment) => ({
            id: deployment.id,
            release: { id: deployment.releaseId, name: `Release-${deployment.releaseId}` },
            releaseDefinition: { id: deployment.definitionId },
            definitionEnvironmentId: deployment.definitionEnvironmentId,
            deploymentStatus: deployment.status,
        }));
        return ex.json(200, { count: value.length, value });
    }

    /** This release's work items; with `baseReleaseId`, those of every release after the base (excluded) up to this one. */
    releaseWorkItemsRoute(ex: Exchange, rawReleaseId: string): Promise<void> {
        const base = wholeNumber(ex, 'baseReleaseId');
        if (isError(base)) {
            return ex.fail(base);
        }
        const releaseId = Number(rawReleaseId);
        const ids =
            base === undefined
                ? this.releaseWorkItems.get(rawReleaseId) ?? []
                : [...this.releaseWorkItems.entries()]
                      .map(([id, items]) => [Number(id), items] as const)
                      .filter(([id]) => id > base && id <= releaseId)
                      .sort(([a], [b]) => a - b)
                      .flatMap(([, items]) => items);
        return ex.json(200, refs(this.collectionUrl, [...new Set(ids)], ex.q('$top') ?? defaultTop(this.refsDefaultTop)));
    }
}

/** The `$top` a work item route applies when the request sends none: a configured default, else none (all refs). */
export function defaultTop(configured: number | undefined): string | undefined {
    return configured === undefined ? undefined : String(configured);
}

export function refs(collectionUrl: string, ids: number[], top: string | undefined): { count: number; value: { id: string; url: string }[] } {
    const limit = top !== undefined && /^\d+$/.test(top.trim()) ? Number(top) : ids.length;
    const value = ids.slice(0, limit).map((id) => ({ id: String(id), url: `${collectionUrl}_apis/wit/workItems/${id}` }));
    return { count: value.length, value };
}


