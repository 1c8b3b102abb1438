import * as tl from 'azure-pipelines-task-lib/task';
import type { Localize, TaskLog } from './localize';
import type { AgentContext } from './serverTarget';
import { usableBypassPatterns, type AgentNetwork } from './services';

/** Everything the task takes from, or gives to, the agent goes through task-lib here. */
export const loc: Localize = (key, ...params) => tl.loc(key, ...params);

export const log: TaskLog = {
    info: (message) => console.log(message),
    warning: (message) => tl.warning(message),
    debug: (message) => tl.debug(message),
};

export const agentContext: AgentContext = {
    endpointUrl: (id) => tl.getEndpointUrl(id, true),
    endpointScheme: (id) => tl.getEndpointAuthorizationScheme(id, true),
    endpointParameter: (id, key) => tl.getEndpointAuthorizationParameter(id, key, true),
    variable: (name) => tl.getVariable(name),
};

export function setOutput(name: string, value: string): void {
    tl.setVariable(name, value, false, true);
}

/** The agent's proxy and certificate settings, as task-lib reads them. */
export function agentNetwork(): AgentNetwork {
    const proxy = tl.getHttpProxyConfiguration();
    const certificates = tl.getHttpCertConfiguration();
    return {
        proxy: proxy
            ? {
                  url: proxy.proxyUrl,
                  username: proxy.proxyUsername,
                  password: proxy.proxyPassword,
                  bypass: usableBypassPatterns(proxy.proxyBypassHosts ?? [], (entry, reason) => log.warning(loc('ProxyBypassEntryIgnored', entry, reason))),
              }
            : undefined,
        certificates: certificates
            ? { caFile: certificates.caFile, certFile: certificates.certFile, keyFile: certificates.keyFile, passphrase: certificates.passphrase }
            : undefined,
        skipCertValidation: (tl.getVariable('Agent.SkipCertValidation') ?? '').toLowerCase() === 'true',
    };
}
