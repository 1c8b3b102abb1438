import type * as http from 'http';
import { BuildApi } from 'azure-devops-node-api/BuildApi';
import type { IRequestHandler, IRequestOptions } from 'azure-devops-node-api/interfaces/common/VsoBaseInterfaces';
import { LocationsApi } from 'azure-devops-node-api/LocationsApi';
import { ReleaseApi } from 'azure-devops-node-api/ReleaseApi';
import type { VsoClient } from 'azure-devops-node-api/VsoClient';
import { WorkItemTrackingApi } from 'azure-devops-node-api/WorkItemTrackingApi';
import { BasicCredentialHandler } from 'azure-devops-node-api/handlers/basiccreds';
import { BearerCredentialHandler } from 'azure-devops-node-api/handlers/bearertoken';
import type { Credential } from '../target';

/**
 * The node-api clients the task needs, found the way `WebApi` finds them (a resource-area lookup that on-premises
 * servers answer with nothing, meaning "the collection URL"). The clients are imported one by one because
 * `WebApi` pulls in every client node-api has, which would make the bundle several times larger.
 * Each client is made once, so its negotiated locations are reused; a failed lookup is forgotten and tried again.
 */
export class AzureDevOpsApis {
    private readonly clients = new Map<string, Promise<unknown>>();

    constructor(
        private readonly collectionUrl: string,
        private readonly credential: Credential,
        private readonly options: IRequestOptions,
        private readonly userAgent: string,
        /** Runs on every request's options after the credentials are set: the task's own connection agents go in here. */
        private readonly prepareRequest?: (options: http.RequestOptions) => void,
    ) {}

    /** Every upload starts here: its locations are asked for while the resource areas are looked up (see `alongsideAreaLookup`). */
    workItemTracking(): Promise<WorkItemTrackingApi> {
        return this.once(WorkItemTrackingApi.RESOURCE_AREA_ID, () =>
            this.alongsideAreaLookup(WorkItemTrackingApi.RESOURCE_AREA_ID, 'wit', (url) => new WorkItemTrackingApi(url, [this.handler()], this.options, this.userAgent)),
        );
    }

    build(): Promise<BuildApi> {
        return this.once(BuildApi.RESOURCE_AREA_ID, async () =>
            new BuildApi(await this.areaUrl(BuildApi.RESOURCE_AREA_ID), [this.handler()], this.options, this.userAgent),
        );
    }

    /** Served by the release host (vsrm) on Azure DevOps Services, which the resource-area lookup names; by the collection on a server. */
    release(): Promise<ReleaseApi> {
        return this.once(ReleaseApi.RESOURCE_AREA_ID, async () =>
            new ReleaseApi(await this.areaUrl(ReleaseApi.RESOURCE_AREA_ID), [this.handler()], this.options, this.userAgent),
        );
    }

    /**
     * Where the server says an area lives; the collection itself when it says nothing, as on-premises servers do.
     * Each client sends the token to its URL, so only the Release area may live on another host (the release host
     * the collection names); any other area named elsewhere is asked at the collection, which serves it too.
     */
    async areaUrl(areaId: string): Promise<string> {
        const areas = await this.once('resource areas', () => this.loadResourceAreas());
        const named = areas.get(areaId.toLowerCase());
        if (named === undefined) {
            return this.collectionUrl;
        }
        return areaId.toLowerCase() === ReleaseApi.RESOURCE_AREA_ID.toLowerCase() || originOf(named) === originOf(this.collectionUrl) ? named : this.collectionUrl;
    }

    /**
     * A client for an area, made while the resource areas are looked up rather than after: its OPTIONS (the
     * locations and api-versions of the area, which node-api caches) goes to the collection URL at the same time as
     * that lookup, so two requests run in sequence before the first upload instead of three. A server answers the
     * lookup with nothing, meaning the collection, and the hosted service names the collection's own URL for the
     * areas the task uses; when it names another URL, the early answer is dropped and that URL asked instead.
     * A failure of the early OPTIONS counts only when its answer is used, and then is the caller's to retry.
     */
    private async alongsideAreaLookup<T extends { vsoClient: VsoClient }>(areaId: string, area: string, create: (url: string) => T): Promise<T> {
        const atCollection = create(this.collectionUrl);
        const locations = atCollection.vsoClient.beginGetLocation(area, '');
        // Handled below when used; when not (another URL, or a failed lookup), its failure means nothing.
        locations.catch(() => undefined);
        const url = await this.areaUrl(areaId);
        if (!sameBase(url, this.collectionUrl)) {
            return create(url);
        }
        await locations;
        return atCollection;
    }

    /** A new handler per client: node-api's handlers pin the first host they see and send the token to no other. */
    private handler(): IRequestHandler {
        const credential = this.credential;
        const handler: IRequestHandler =
            credential.kind === 'bearer' ? new BearerCredentialHandler(credential.token) : new BasicCredentialHandler(credential.username, credential.password);
        const prepare = this.prepareRequest;
        if (!prepare) {
            return handler;
        }
        return {
            prepareRequest: (options) => {
                handler.prepareRequest(options);
                prepare(options);
            },
            canHandleAuthentication: (response) => handler.canHandleAuthentication(response),
            handleAuthentication: (httpClient, requestInfo, data) => handler.handleAuthentication(httpClient, requestInfo, data),
        };
    }

    private once<T>(key: string, create: () => Promise<T>): Promise<T> {
        let client = this.clients.get(key) as Promise<T> | undefined;
        if (!client) {
            client = create();
            client.catch(() => this.clients.delete(key));
            this.clients.set(key, client);
        }
        return client;
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

/** The same base URL, whatever the letter case of its host or a trailing slash. */
function sameBase(a: string, b: string): boolean {
    const normal = (url: string) => url.replace(/\/+$/, '').toLowerCase();
    return normal(a) === normal(b);
}

function originOf(url: string): string | undefined {
    try {
        return new URL(url).origin;
    } catch {
        return undefined;
    }
}
