/*
 * Loaded into the packed command's process with `NODE_OPTIONS=--require <this file>`: its standard input, a pipe from
 * the test, says it is a terminal, as when a person runs the command in a shell without piping anything in.
 */

export function stdinTtyEnvironment(): Record<string, string> {
    return { NODE_OPTIONS: `--require ${JSON.stringify(__filename)}`, ADO_ATTACH_TEST_STDIN_TTY: '1' };
}

if (process.env.ADO_ATTACH_TEST_STDIN_TTY === '1') {
    Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true });
}
