import { BuildQueryOrder, BuildResult, BuildStatus } from 'azure-devops-node-api/interfaces/BuildInterfaces';
import { DeploymentStatus, ReleaseQueryOrder } from 'azure-devops-node-api/interfaces/ReleaseInterfaces';
import { WorkItemExpand } from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';
import type { WorkItem } from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';
import { WorkItemTrackingApi } from 'azure-devops-node-api/WorkItemTrackingApi';
import { sha256OfAttachment, type AttachmentResponse } from './attachmentContent';
import type { AzureDevOpsApis } from '../http/azureDevOpsApis';
import { attachmentIn, type AttachedFileRelation, type WorkItemSnapshot } from './linkPlan';
import type { RetryPolicy } from '../http/retryPolicy';
import { fromNodeApiError } from '../http/services';

/** Where the run's own work items come from: a build's, or a classic release's. */
export interface RunIdentity {
    readonly hostType: string;
    readonly buildId?: number;
    readonly releaseId?: number;
    /** `thisRun` (default): the run's own work items; `sinceLastSuccessfulRun`: also those since the last success. */
    readonly scope?: RunWorkItemsScope;
    /** The pipeline (System.DefinitionId) or the release pipeline (Release.DefinitionId). */
    readonly definitionId?: number;
    /** Build.SourceBranch: only runs of the same branch (or pull request) count. */
    readonly sourceBranch?: string;
    /** Release.DefinitionEnvironmentId: the stage whose deployments count. */
    readonly definitionEnvironmentId?: number;
}

export type RunWorkItemsScope = 'thisRun' | 'sinceLastSuccessfulRun';

/** The run's work items, and, for `sinceLastSuccessfulRun`, since which earlier run (none: there was no successful one). */
export interface RunWorkItems {
    readonly ids: number[];
    /** A lookup returned as many refs as `top` asked for: the run may have more work items than `ids` holds. */
    readonly capped?: boolean;
    readonly since?: { readonly kind: 'build' | 'release'; readonly id: number; readonly name: string } | 'none';
}

/** What a WIQL query found: every work item it names (for a link query, sources and targets), and whether `$top` cut it. */
export interface QueryResult {
    readonly ids: number[];
    readonly capped: boolean;
}

/** How many deployments are looked at for the last successful one that is not this release's (a redeployment is this release's). */
const DEPLOYMENTS_LOOKED_AT = 10;

/** Work item reads and relation patches through node-api, each request retried like an upload. */
export class WorkItemsClient {
    constructor(
        private readonly apis: AzureDevOpsApis,
        private readonly project: string | undefined,
        private readonly policy: RetryPolicy,
        /** Ends with `/`: relations whose URL is not below it (or below the work item area's URL) are no attachment of ours. */
        private readonly collectionUrl: string,
    ) {}

    /** The work item with its attachments, or undefined when it does not exist or cannot be read (TF401232). */
    async read(id: number): Promise<WorkItemSnapshot | undefined> {
        const item = await this.call(`work item ${id}`, async () => (await this.apis.workItemTracking()).getWorkItem(id, undefined, undefined, WorkItemExpand.Relations, this.project));
        return item ? this.snapshot(item) : undefined;
    }

    /**
     * The SHA-256 of the attachment's content, or undefined when it does not have `expectedSize` bytes. Fetched by id
     * through node-api (the collection's own attachments route, never a URL read from a work item), so the token, proxy,
     * certificates and "no redirects" are those of every other request; retried like them, restarting the hash.
     */
    attachmentSha256(attachmentId: string, expectedSize: number): Promise<string | undefined> {
        return this.call(`attachment ${attachmentId}`, async () => {
            const response = await (await this.apis.workItemTracking()).getAttachmentContent(attachmentId, undefined, undefined, false);
            return sha256OfAttachment(response as unknown as AttachmentResponse, expectedSize);
        });
    }

    /**
     * One PATCH for all of the item's new relations, guarded by `test /rev` so a concurrent edit is never overwritten:
     * the relations at `removeIndexes` go first, highest first so that each index still names its relation; then the
     * new relations; then the Discussion entry, when there is one. Undefined when the item no longer exists (node-api
     * resolves a 404 to null): someone deleted it since it was read.
     */
    async addAttachments(item: WorkItemSnapshot, relations: readonly { url: string; comment: string }[], changes: { removeIndexes?: readonly number[]; history?: string } = {}): Promise<WorkItemSnapshot | undefined> {
        const removals = [...new Set(changes.removeIndexes ?? [])].sort((a, b) => b - a);
        const document = [
            { op: 'test', path: '/rev', value: item.rev },
            ...removals.map((index) => ({ op: 'remove', path: `/relations/${index}` })),
            ...relations.map(({ url, comment }) => ({
                op: 'add',
                path: '/relations/-',
                value: { rel: 'AttachedFile', url, attributes: { comment } },
            })),
            ...(changes.history === undefined ? [] : [{ op: 'add', path: '/fields/System.History', value: changes.history }]),
        ];
        const updated = await this.call(`work item ${item.id}`, async () =>
            (await this.apis.workItemTracking()).updateWorkItem(undefined, document as never, item.id, this.project, undefined, undefined, undefined, WorkItemExpand.Relations),
        );
        return updated ? this.snapshot(updated) : undefined;
    }

    /**
     * The run's work items; with `sinceLastSuccessfulRun`, also those since the last successful run of the same pipeline
     * on the same branch (a build), or the last release other than this one deployed successfully to the same stage.
     * This run's own are always included, so a lookup that finds less than the run itself never narrows the targets.
     * Each lookup asks for at most `top` refs: without `$top` the service is reported to return only 50
     * (rfennell/AzurePipelines#195, #2141), which would leave the others out without a word.
     */
    async runWorkItems(run: RunIdentity, top: number): Promise<RunWorkItems> {
        const project = this.project ?? '';
        let capped = false;
        const refsOf = (refs: readonly { id?: string | number }[] | null | undefined) => {
            capped ||= (refs ?? []).length >= top;
            return idsOf(refs);
        };
        if (run.hostType === 'release' && run.releaseId !== undefined) {
            const releaseId = run.releaseId;
            const own = refsOf(await this.call('release work items', async () => (await this.apis.release()).getReleaseWorkItemsRefs(project, releaseId, undefined, top)));
            if (run.scope !== 'sinceLastSuccessfulRun') {
                return { ids: own, capped };
            }
            const base = await this.lastDeployedRelease(project, run);
            if (!base) {
                return { ids: own, since: 'none', capped };
            }
            const since = refsOf(await this.call('release work items', async () => (await this.apis.release()).getReleaseWorkItemsRefs(project, releaseId, base.id, top)));
            return { ids: union(own, since), since: { kind: 'release', ...base }, capped };
        }
        if (run.buildId !== undefined) {
            const buildId = run.buildId;
            const own = refsOf(await this.call('build work items', async () => (await this.apis.build()).getBuildWorkItemsRefs(project, buildId, top)));
            if (run.scope !== 'sinceLastSuccessfulRun') {
                return { ids: own, capped };
            }
            const base = await this.lastSucceededBuild(project, run);
            if (!base) {
                return { ids: own, since: 'none', capped };
            }
            const since = refsOf(await this.call('work items between builds', async () => (await this.apis.build()).getWorkItemsBetweenBuilds(project, base.id, buildId, top)));
            return { ids: union(own, since), since: { kind: 'build', ...base }, capped };
        }
        return { ids: [] };
    }

    /**
     * Runs the WIQL query in the project, asking for at most `top` rows, so that a broad query costs one bounded reply.
     * A flat query names work items; a link query names sources and targets, and both count.
     */
    async query(wiql: string, top: number): Promise<QueryResult> {
        const project = this.project;
        const result = await this.call('work item query', async () =>
            (await this.apis.workItemTracking()).queryByWiql({ query: wiql }, project === undefined ? undefined : { project }, undefined, top),
        );
        const rows = result?.workItems ?? [];
        const links = result?.workItemRelations ?? [];
        const ids = [...rows.map((row) => row.id), ...links.flatMap((link) => [link.source?.id, link.target?.id])];
        return { ids: idsOf(ids.map((id) => ({ id }))), capped: rows.length + links.length >= top };
    }

    /** The pipeline's last run on this branch whose result is `succeeded` (not partially), other than this one. */
    private async lastSucceededBuild(project: string, run: RunIdentity): Promise<{ id: number; name: string } | undefined> {
        if (run.definitionId === undefined || run.sourceBranch === undefined) {
            return undefined;
        }
        const { definitionId, sourceBranch } = run;
        const builds = await this.call('builds', async () =>
            (await this.apis.build()).getBuilds(
                project, [definitionId], undefined, undefined, undefined, undefined, undefined, undefined,
                BuildStatus.Completed, BuildResult.Succeeded, undefined, undefined, 1, undefined, undefined, undefined,
                BuildQueryOrder.FinishTimeDescending, sourceBranch,
            ),
        );
        const last = (builds ?? []).find((build) => build.id !== undefined && build.id !== run.buildId && build.result === BuildResult.Succeeded);
        return last?.id === undefined ? undefined : { id: last.id, name: last.buildNumber ?? String(last.id) };
    }

    /** The last release other than this one whose deployment to this stage succeeded. */
    private async lastDeployedRelease(project: string, run: RunIdentity): Promise<{ id: number; name: string } | undefined> {
        if (run.definitionId === undefined || run.definitionEnvironmentId === undefined) {
            return undefined;
        }
        const { definitionId, definitionEnvironmentId } = run;
        const deployments = await this.call('deployments', async () =>
            (await this.apis.release()).getDeployments(
                project, definitionId, definitionEnvironmentId, undefined, undefined, undefined,
                DeploymentStatus.Succeeded, undefined, undefined, ReleaseQueryOrder.Descending, DEPLOYMENTS_LOOKED_AT,
            ),
        );
        const last = (deployments ?? []).find((deployment) => deployment.release?.id !== undefined && deployment.release.id !== run.releaseId);
        return last?.release?.id === undefined ? undefined : { id: last.release.id, name: last.release.name ?? String(last.release.id) };
    }

    /** The bases under which an attachment URL is one of the collection's: the collection, and where the server says the work item area lives. */
    private async attachmentBases(): Promise<string[]> {
        const area = await this.apis.areaUrl(WorkItemTrackingApi.RESOURCE_AREA_ID);
        return [...new Set([this.collectionUrl, area.endsWith('/') ? area : `${area}/`])];
    }

    private async snapshot(item: WorkItem): Promise<WorkItemSnapshot> {
        const bases = await this.attachmentBases();
        const attachedFiles: AttachedFileRelation[] = (item.relations ?? [])
            .map((relation, index) => ({ relation, index }))
            .filter(({ relation }) => relation.rel === 'AttachedFile' && typeof relation.url === 'string')
            .map(({ relation, index }) => ({
                index,
                url: relation.url as string,
                attachment: attachmentIn(relation.url as string, bases),
                name: typeof relation.attributes?.name === 'string' ? relation.attributes.name : undefined,
                size: sizeOf(relation.attributes?.resourceSize),
                comment: typeof relation.attributes?.comment === 'string' ? relation.attributes.comment : undefined,
            }));
        return { id: item.id ?? 0, rev: item.rev ?? 0, attachedFiles };
    }

    private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
        return this.policy.run(operation, async () => {
            try {
                return await request();
            } catch (error) {
                throw fromNodeApiError(error);
            }
        });
    }
}

/** `resourceSize` as a byte count; anything else counts as unknown, which rules the relation out as proof. */
function sizeOf(value: unknown): number | undefined {
    const size = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

function union(first: readonly number[], second: readonly number[]): number[] {
    return [...new Set([...first, ...second])];
}

function idsOf(refs: readonly { id?: string | number }[] | null | undefined): number[] {
    const ids = (refs ?? []).map((ref) => Number(ref.id)).filter((id) => Number.isSafeInteger(id) && id > 0);
    return [...new Set(ids)];
}
