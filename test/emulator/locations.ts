export const locationIds = {
    attachments: 'e07b5fa4-1499-494d-a496-64b860fd64ff',
    workItems: '72c7ddf8-2cdc-4f60-90cd-ab71c14a399b',
    buildWorkItems: '5a21f5d2-5642-47e4-a0bd-1356e6731bee',
    releaseWorkItems: '4f165cc0-875c-4768-b148-f12f78769fab',
    resourceAreas: 'e81700f7-3be2-46de-8624-2eb35882fcaa',
    wiql: '1a9c53f7-f243-4447-b110-35ef023636e4',
    builds: '0cd358e1-9217-4d94-8269-1c1ee6f93dcf',
    workItemsBetweenBuilds: '52ba8915-5518-42e3-a4bb-b0182d159e2d',
    deployments: 'b005ef73-cddc-448e-9ba2-5193bf36b19f',
} as const;

export interface ResourceLocation {
    id: string;
    area: string;
    resourceName: string;
    routeTemplate: string;
    resourceVersion: number;
    minVersion: string;
    maxVersion: string;
    releasedVersion: string;
}

type LocationTemplate = Omit<ResourceLocation, 'minVersion' | 'maxVersion' | 'releasedVersion'>;

const areas: Record<string, LocationTemplate[]> = {
    wit: [
        { id: locationIds.attachments, area: 'wit', resourceName: 'attachments', routeTemplate: '{project}/_apis/{area}/{resource}/{id}', resourceVersion: 3 },
        { id: locationIds.workItems, area: 'wit', resourceName: 'workItems', routeTemplate: '{project}/_apis/{area}/{resource}/{id}', resourceVersion: 3 },
        { id: locationIds.wiql, area: 'wit', resourceName: 'wiql', routeTemplate: '{project}/{team}/_apis/{area}/{resource}/{id}', resourceVersion: 2 },
    ],
    build: [
        {
            id: locationIds.buildWorkItems,
            area: 'build',
            resourceName: 'workitems',
            routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}',
            resourceVersion: 2,
        },
        { id: locationIds.builds, area: 'build', resourceName: 'Builds', routeTemplate: '{project}/_apis/{area}/{resource}/{buildId}', resourceVersion: 7 },
        { id: locationIds.workItemsBetweenBuilds, area: 'build', resourceName: 'workitems', routeTemplate: '{project}/_apis/{area}/{resource}', resourceVersion: 2 },
    ],
    release: [
        {
            id: locationIds.releaseWorkItems,
            area: 'Release',
            resourceName: 'workitems',
            routeTemplate: '{project}/_apis/{area}/releases/{releaseId}/{resource}',
            resourceVersion: 1,
        },
        { id: locationIds.deployments, area: 'Release', resourceName: 'deployments', routeTemplate: '{project}/_apis/{area}/{resource}', resourceVersion: 2 },
    ],
    location: [
        { id: locationIds.resourceAreas, area: 'Location', resourceName: 'ResourceAreas', routeTemplate: '_apis/{resource}/{areaId}', resourceVersion: 1 },
    ],
};

/**
 * What `OPTIONS _apis/{area}` answers. maxVersion and releasedVersion are the same string on
 * purpose: node-api's autoNegotiateApiVersion then falls back to exactly `maxVersion` when the
 * client asks for more than the server speaks, which is what an older server accepts.
 */
export function locationsFor(area: string, serverVersion: string): { count: number; value: ResourceLocation[] } {
    const value = (areas[area.toLowerCase()] ?? []).map((location) => ({
        ...location,
        minVersion: '1.0',
        maxVersion: serverVersion,
        releasedVersion: serverVersion,
    }));
    return { count: value.length, value };
}

export const releaseAreaId = 'efc2f575-36ef-48e9-b672-0c6fb4a48ac5';

/** Resource area ids node-api 17's WebApi looks up before it builds a client. */
const resourceAreaIds: [name: string, id: string][] = [
    ['wit', '5264459e-e5e0-4bd8-b118-0985e68a4ec5'],
    ['build', '965220d5-5bb9-42cf-8d67-9b146df2a5a4'],
    ['core', '79134c72-4a58-4b42-976c-04e7115f32bf'],
    ['Release', releaseAreaId],
    ['git', '4e080c62-fa21-4fbc-8fef-2a10a2b38049'],
    ['policy', 'fb13a388-40dd-4a04-b530-013a739c72ef'],
    ['test', 'c2aa639c-3ccc-4740-b3b6-ce2a1e1d984e'],
    ['testresults', 'c83eaf52-edf3-4034-ae11-17d38f25404c'],
    ['tfvc', '8aa40520-446d-40e6-89f6-9c9f9ce44c48'],
    ['wiki', 'bf7d82a0-8aa5-4613-94ef-6172a5ea01f3'],
    ['work', '1d4f49f9-02b9-4e26-b826-2cdb6195f2a9'],
    ['distributedtask', 'a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd'],
    ['serviceendpoint', '1814ab31-2f4f-4a9f-8761-f4d77dc5a5d7'],
    ['dashboard', '31c84e0a-3ece-48fd-a29d-100849af99ba'],
    ['ExtensionManagement', '6c2b0933-3600-42ae-bf8b-93d4f7e83594'],
    ['gallery', '69d21c00-f135-441b-b5ce-3626378e0819'],
    ['projectanalysis', '7658fa33-b1bf-4580-990f-fac5896773d3'],
    ['profile', '8ccfef3d-2b87-4e99-8ccb-66e343d2daa8'],
    ['Management', 'f101720c-9790-45a6-9fb3-494a09fddeeb'],
    ['alert', '0f2ca920-f269-4545-b1f4-5b4173aa784e'],
];

export interface ResourceArea {
    id: string;
    name: string;
    locationUrl: string;
}

/**
 * On-prem servers answer `{"count":0,"value":null}`, which node-api reads as "use the collection URL";
 * the hosted service lists every area with the host that serves it: the release host ('vsrm') for
 * Release, the collection for the rest.
 */
export function resourceAreas(
    mode: 'onprem' | 'hosted',
    collectionUrl: string,
    releaseCollectionUrl = collectionUrl,
    overrides: Record<string, string> = {},
): { count: number; value: ResourceArea[] | null } {
    if (mode === 'onprem') {
        return { count: 0, value: null };
    }
    const value = resourceAreaIds.map(([name, id]) => ({ id, name, locationUrl: overrides[name] ?? (id === releaseAreaId ? releaseCollectionUrl : collectionUrl) }));
    return { count: value.length, value };
}

export function resourceArea(
    mode: 'onprem' | 'hosted',
    collectionUrl: string,
    areaId: string,
    releaseCollectionUrl = collectionUrl,
    overrides: Record<string, string> = {},
): ResourceArea | undefined {
    return resourceAreas(mode, collectionUrl, releaseCollectionUrl, overrides).value?.find((area) => area.id === areaId.toLowerCase());
}
