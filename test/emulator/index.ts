/**
 * A local Azure DevOps for tests, the demo and the benchmark: real HTTP(S) on 127.0.0.1 with
 * location negotiation, attachment uploads (simple and chunked), work items with their attachment
 * links, the work items of builds and releases (on a separate release host when 'hosted'), the
 * service's auth and version errors, and scripted faults. See server.ts for the routes and FACTS.md
 * for the behaviour it copies.
 */
export { AzureDevOpsEmulator } from './server';
export { testCertificates } from './certs';
export { locationIds } from './locations';
export { maxAttachedFiles } from './workitems';
export type {
    BuildSeed,
    DeploymentSeed,
    WiqlAnswer,
    AttachedFileSeed,
    EmulatorOptions,
    FaultAction,
    FaultRule,
    FaultRequestInfo,
    RecordedRequest,
    StoredAttachment,
    WorkItemRelation,
    WorkItemSeed,
    WorkItemSnapshot,
} from './types';
