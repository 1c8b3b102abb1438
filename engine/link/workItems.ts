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
}

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
        return this.snapshot(updated);
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

    /** The bases under which an attachment URL is one of the collection's: the collection, and where the server says the work item area lives. */
    private async attachmentBases(): Promise<string[]> {
        const area = await this.apis.areaUrl(WorkItemTrackingApi.RESOURCE_AREA_ID);
        return [...new Set([this.collectionUrl, area.endsWith('/') ? area : `${area}/`])];
    }

    private async snapshot(item: WorkItem): Promise<WorkItemSnapshot> {
        const bases = await this.attachmentBases();
        const attachedFiles: AttachedFileRelation[] = (item.relations ?? [])
            .filter((relation) => relation.rel === 'AttachedFile' && typeof relation.url === 'string')
            .map((relation) => ({
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

function idsOf(refs: readonly { id?: string | number }[] | null | undefined): number[] {
    const ids = (refs ?? []).map((ref) => Number(ref.id)).filter((id) => Number.isSafeInteger(id) && id > 0);
    return [...new Set(ids)];
}
