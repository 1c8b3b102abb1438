import { WorkItemExpand } from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';
import type { WorkItem } from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';
import type { AzureDevOpsApis } from './azureDevOpsApis';
import type { AttachedFileRelation, WorkItemSnapshot } from './linkPlan';
import type { RetryPolicy } from './retryPolicy';
import { fromNodeApiError } from './services';

/** Where the run's own work items come from: a build's, or a classic release's. */
export interface RunIdentity {
    readonly hostType: string;
    readonly buildId?: number;
    readonly releaseId?: number;
}

/** Work item reads and relation patches through node-api, each request retried like an upload. */
export class WorkItemsClient {
    constructor(
        private readonly apis: AzureDevOpsApis,
        private readonly project: string | undefined,
        private readonly policy: RetryPolicy,
    ) {}

    /** The work item with its attachments, or undefined when it does not exist or cannot be read (TF401232). */
    async read(id: number): Promise<WorkItemSnapshot | undefined> {
        const item = await this.call(`work item ${id}`, async () => (await this.apis.workItemTracking()).getWorkItem(id, undefined, undefined, WorkItemExpand.Relations, this.project));
        return item ? snapshot(item) : undefined;
    }

    /** One PATCH for all of the item's new relations, guarded by `test /rev` so a concurrent edit is never overwritten. */
    async addAttachments(item: WorkItemSnapshot, relations: readonly { url: string; comment: string }[]): Promise<WorkItemSnapshot> {
        const document = [
            { op: 'test', path: '/rev', value: item.rev },
            ...relations.map(({ url, comment }) => ({
                op: 'add',
                path: '/relations/-',
                value: { rel: 'AttachedFile', url, attributes: { comment } },
            })),
        ];
        const updated = await this.call(`work item ${item.id}`, async () =>
            (await this.apis.workItemTracking()).updateWorkItem(undefined, document as never, item.id, this.project, undefined, undefined, undefined, WorkItemExpand.Relations),
        );
        return snapshot(updated);
    }

    /** The work items associated with this run: the build's, or in a classic release, the release's (served by the release host). */
    async runWorkItemIds(run: RunIdentity): Promise<number[]> {
        const project = this.project ?? '';
        if (run.hostType === 'release' && run.releaseId !== undefined) {
            const releaseId = run.releaseId;
            const refs = await this.call('release work items', async () => (await this.apis.release()).getReleaseWorkItemsRefs(project, releaseId));
            return idsOf(refs);
        }
        if (run.buildId !== undefined) {
            const buildId = run.buildId;
            const refs = await this.call('build work items', async () => (await this.apis.build()).getBuildWorkItemsRefs(project, buildId));
            return idsOf(refs);
        }
        return [];
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

function snapshot(item: WorkItem): WorkItemSnapshot {
    const attachedFiles: AttachedFileRelation[] = (item.relations ?? [])
        .filter((relation) => relation.rel === 'AttachedFile' && typeof relation.url === 'string')
        .map((relation) => ({
            url: relation.url as string,
            name: typeof relation.attributes?.name === 'string' ? relation.attributes.name : undefined,
            comment: typeof relation.attributes?.comment === 'string' ? relation.attributes.comment : undefined,
        }));
    return { id: item.id ?? 0, rev: item.rev ?? 0, attachedFiles };
}

function idsOf(refs: readonly { id?: string | number }[] | null | undefined): number[] {
    const ids = (refs ?? []).map((ref) => Number(ref.id)).filter((id) => Number.isSafeInteger(id) && id > 0);
    return [...new Set(ids)];
}
