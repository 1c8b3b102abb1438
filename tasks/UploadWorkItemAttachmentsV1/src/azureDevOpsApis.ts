import type { IRequestHandler, IRequestOptions } from 'azure-devops-node-api/interfaces/common/VsoBaseInterfaces';
import { LocationsApi } from 'azure-devops-node-api/LocationsApi';
import { WorkItemTrackingApi } from 'azure-devops-node-api/WorkItemTrackingApi';
import { BasicCredentialHandler } from 'azure-devops-node-api/handlers/basiccreds';
import { BearerCredentialHandler } from 'azure-devops-node-api/handlers/bearertoken';
import type { Credential } from './serverTarget';

/**
 * The node-api clients the task needs, found the way `WebApi` finds them (a resource-area lookup that on-premises
 * servers answer with nothing, meaning "the collection URL"). The clients are imported one by one because
 * `WebApi` pulls in every client node-api has, which would make the bundle five times larger.
 */
export class AzureDevOpsApis {
    private resourceAreas: Promise<Map<string, string>> | undefined;

    constructor(
        private readonly collectionUrl: string,
        private readonly credential: Credential,
        private readonly options: IRequestOptions,
        private readonly userAgent: string,
    ) {}

    async workItemTracking(): Promise<WorkItemTrackingApi> {
        const url = await this.areaUrl(WorkItemTrackingApi.RESOURCE_AREA_ID);
        return new WorkItemTrackingApi(url, [this.handler()], this.options, this.userAgent);
    }

    /** Where the server says an area lives; the collection itself when it says nothing, as on-premises servers do. */
    async areaUrl(areaId: string): Promise<string> {
        this.resourceAreas ??= this.loadResourceAreas().catch((error: unknown) => {
            this.resourceAreas = undefined;
            throw error;
        });
        return (await this.resourceAreas).get(areaId.toLowerCase()) ?? this.collectionUrl;
    }

    /** A new handler per client: node-api's handlers pin the first host they see and send the token to no other. */
    handler(): IRequestHandler {
        const credential = this.credential;
        return credential.kind === 'bearer'
            ? new BearerCredentialHandler(credential.token)
            : new BasicCredentialHandler(credential.username, credential.password);
    }

    private async loadResourceAreas(): Promise<Map<string, string>> {
        const locations = new LocationsApi(this.collectionUrl, [this.handler()], this.options, this.userAgent);
        // On-premises servers answer {"count":0,"value":null}, which node-api returns as that object itself.
        const areas: unknown = await locations.getResourceAreas();
        const byId = new Map<string, string>();
        if (Array.isArray(areas)) {
            for (const area of areas as { id?: string; locationUrl?: string }[]) {
                if (area.id && area.locationUrl) {
                    byId.set(area.id.toLowerCase(), area.locationUrl);
                }
            }
        }
        return byId;
    }
}
