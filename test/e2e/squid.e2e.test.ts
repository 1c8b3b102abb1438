import * as assert from 'assert/strict';
import { Squid } from '../proxy/squid';
import { binaryContent } from './fixtures';
import { Scenario, assertServerHoldsExactly } from './harness';
import { variableToEnvironment } from './taskRunner';

const PROXY_USER = 'build-agent';
const PROXY_PASSWORD = 'squid-Pa55word';
const FILES = 40;
const CONCURRENCY = 4;

/** The proxy password the way the agent passes a secret variable: SECRET_<NAME>, its name in VSTS_SECRET_VARIABLES. */
const PROXY_PASSWORD_VARIABLE = {
    VSTS_SECRET_VARIABLES: JSON.stringify(['Agent.ProxyPassword']),
    [`SECRET_${variableToEnvironment('Agent.ProxyPassword')}`]: PROXY_PASSWORD,
};

/**
 * Behind a real squid with basic authentication, as an agent behind a corporate proxy: connections are reused as
 * they are when direct. Skipped only where squid is not installed and this is not CI; under CI it must run.
 */
describe('end to end: behind a real squid with basic authentication (issue 11)', function () {
    this.timeout(60_000);
    let squid: Squid | undefined;
    let scenario: Scenario | undefined;

    before(async function () {
        if (!Squid.available()) {
            if (process.env.CI) {
                throw new Error('CI is set but squid is not installed: .ci/run installs squid and apache2-utils');
            }
            this.skip();
        }
        squid = await Squid.start(PROXY_USER, PROXY_PASSWORD);
    });

    after(async () => {
        await squid?.remove();
    });

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    it(`uploads ${FILES} files through at most concurrency + 2 tunnels, reused like direct connections, with nothing on stderr`, async () => {
        const proxy = squid as Squid;
        scenario = await Scenario.start();
        const expected: Record<string, Buffer> = {};
        for (let index = 0; index < FILES; index++) {
            const name = `file-${String(index).padStart(2, '0')}.bin`;
            expected[name] = binaryContent(5_000 + index, index);
            scenario.artifacts.write(name, expected[name]);
        }

        const run = await scenario.run(
            { contents: '*.bin', concurrency: String(CONCURRENCY) },
            { variables: { 'Agent.ProxyUrl': proxy.url, 'Agent.ProxyUsername': PROXY_USER }, environment: PROXY_PASSWORD_VARIABLE },
        );

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(run.stderr, '', 'nothing on stderr');
        const requests = scenario.emulator.requests;
        assert.ok(requests.length >= FILES + 2, `${requests.length} requests`);
        // Each tunnel is one connection from squid to the emulator: its port tells them apart.
        const tunnels = new Set(requests.map((request) => request.remotePort));
        assert.ok(!tunnels.has(undefined));
        assert.ok(tunnels.size <= CONCURRENCY + 2, `${requests.length} requests through ${tunnels.size} tunnels`);
        assert.ok(!run.visibleOutput.includes(PROXY_PASSWORD), 'the proxy password is not printed');
        await assertServerHoldsExactly(scenario, expected);
        // Squid writes a tunnel's line when it closes: stopping it closes and writes them all.
        await proxy.stop();
        const connects = proxy.connectLines();
        assert.ok(connects.length >= 1 && connects.length <= CONCURRENCY + 2, `squid logged ${connects.length} tunnels:\n${connects.join('\n')}`);
        assert.ok(connects.every((line) => line.includes(PROXY_USER) && / TCP_TUNNEL\/200 /.test(line)), connects.join('\n'));
    });
});
