/*
 * Loaded into the packed command's process with `NODE_OPTIONS=--require <this file>`: its stderr, a pipe to the test,
 * says it is a terminal 200 columns wide, so the command draws its progress bar there as it would for a person.
 */

export function ttyEnvironment(): Record<string, string> {
    return { NODE_OPTIONS: `--require ${JSON.stringify(__filename)}`, ADO_ATTACH_TEST_TTY: '1' };
}

if (process.env.ADO_ATTACH_TEST_TTY === '1') {
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    Object.defineProperty(process.stderr, 'columns', { value: 200, configurable: true });
}
