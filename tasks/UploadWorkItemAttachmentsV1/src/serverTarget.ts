import type { TaskSettings } from './inputs';
import { InputError } from './inputs';
import type { Localize } from '../../../engine/text/localize';
import { withoutUserInfo, type Credential, type ServerTarget } from '../../../engine/target';

/** The agent's view of endpoints and variables (tl.getEndpoint* and tl.getVariable in the task). */
export interface AgentContext {
    endpointUrl(id: string): string | undefined;
    endpointScheme(id: string): string | undefined;
    endpointParameter(id: string, key: string): string | undefined;
    variable(name: string): string | undefined;
}

// Upper case, as the agent names the variables: task-lib looks endpoint URLs up case-sensitively on Linux.
export const PIPELINE_CONNECTION = 'SYSTEMVSSCONNECTION';

/** The pipeline's own collection and OAuth token, or those of the chosen service connection. */
export function resolveServerTarget(settings: TaskSettings, agent: AgentContext, loc: Localize): ServerTarget {
    if (settings.connection) {
        return serviceConnectionTarget(settings.connection, settings.project, agent, loc);
    }
    const collectionUrl = agent.endpointUrl(PIPELINE_CONNECTION) || agent.variable('System.TeamFoundationCollectionUri');
    const token = agent.endpointParameter(PIPELINE_CONNECTION, 'AccessToken');
    if (!collectionUrl || !token) {
        throw new InputError(loc('PipelineTokenMissing'));
    }
    const projectName = agent.variable('System.TeamProject') ?? '?';
    const organization = organizationOf(collectionUrl);
    return {
        collectionUrl: bareCollectionUrl(collectionUrl),
        credential: { kind: 'bearer', token },
        identity: loc('IdentityPipeline', projectName, organization, organization),
        project: settings.project ?? (agent.variable('System.TeamProjectId') || agent.variable('System.TeamProject') || undefined),
    };
}

function serviceConnectionTarget(id: string, project: string | undefined, agent: AgentContext, loc: Localize): ServerTarget {
    const collectionUrl = agent.endpointUrl(id);
    if (!collectionUrl) {
        throw new InputError(loc('ConnectionNotFound', id));
    }
    const scheme = (agent.endpointScheme(id) ?? '').toLowerCase();
    const credential = serviceConnectionCredential(id, scheme, agent);
    if (!credential) {
        throw new InputError(loc('ConnectionSchemeUnsupported', id, scheme || '?'));
    }
    return { collectionUrl: bareCollectionUrl(collectionUrl), credential, identity: loc('IdentityServiceConnection', id), project };
}

function serviceConnectionCredential(id: string, scheme: string, agent: AgentContext): Credential | undefined {
    const parameter = (key: string) => agent.endpointParameter(id, key);
    switch (scheme) {
        case 'token': {
            const token = parameter('apitoken') ?? parameter('AccessToken');
            return token ? { kind: 'basic', username: '', password: token } : undefined;
        }
        case 'oauth': {
            const token = parameter('AccessToken');
            return token ? { kind: 'bearer', token } : undefined;
        }
        case 'usernamepassword': {
            const username = parameter('username');
            const password = parameter('password');
            return username !== undefined && password ? { kind: 'basic', username, password } : undefined;
        }
        default:
            return undefined;
    }
}

/** `fabrikam` from https://dev.azure.com/fabrikam/ or https://fabrikam.visualstudio.com/; the host and collection on a server. */
function organizationOf(collectionUrl: string): string {
    try {
        const url = new URL(collectionUrl);
        const firstSegment = url.pathname.split('/').find((segment) => segment !== '') ?? '';
        if (url.hostname === 'dev.azure.com') {
            return firstSegment;
        }
        const visualStudio = /^([^.]+)\.visualstudio\.com$/i.exec(url.hostname);
        return visualStudio ? visualStudio[1] : `${url.host}/${firstSegment}`;
    } catch {
        return collectionUrl;
    }
}

/** The collection URL with a trailing slash and without a user name and password written into it: the credential comes from the connection, and the URL is printed and linked. */
function bareCollectionUrl(url: string): string {
    const bare = withoutUserInfo(url);
    return bare.endsWith('/') ? bare : `${bare}/`;
}
