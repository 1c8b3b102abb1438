import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * A real squid from the Debian packages (`.ci/run` installs `squid` and `apache2-utils`), started by a test on a free
 * loopback port with basic authentication: its own squid.conf, password file, logs and pid file in a temporary folder,
 * no cache, stopped after. It is what an agent's corporate proxy is, rather than the tests' own ForwardProxy.
 */
export class Squid {
    private constructor(
        private readonly child: ChildProcess,
        private readonly folder: string,
        readonly port: number,
        private readonly output: { text: string },
    ) {}

    static readonly SQUID = ['/usr/sbin/squid', '/usr/bin/squid'].find((file) => fs.existsSync(file));
    static readonly HTPASSWD = ['/usr/bin/htpasswd', '/usr/sbin/htpasswd'].find((file) => fs.existsSync(file));
    static readonly BASIC_AUTH = ['/usr/lib/squid/basic_ncsa_auth', '/usr/lib64/squid/basic_ncsa_auth'].find((file) => fs.existsSync(file));

    /** Whether squid, its basic authentication helper and htpasswd are installed. */
    static available(): boolean {
        return Squid.SQUID !== undefined && Squid.HTPASSWD !== undefined && Squid.BASIC_AUTH !== undefined;
    }

    static async start(username: string, password: string): Promise<Squid> {
        if (!Squid.SQUID || !Squid.HTPASSWD || !Squid.BASIC_AUTH) {
            throw new Error('squid, its basic_ncsa_auth helper or htpasswd is not installed (apt-get install squid apache2-utils)');
        }
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-squid-'));
        // Squid started as root runs as its own user (proxy on Debian), which must reach its logs and password file.
        fs.chmodSync(folder, 0o777);
        const passwords = path.join(folder, 'passwd');
        execFileSync(Squid.HTPASSWD, ['-b', '-c', '-m', passwords, username, password], { stdio: 'ignore' });
        fs.chmodSync(passwords, 0o644);
        const port = await freePort();
        const conf = path.join(folder, 'squid.conf');
        fs.writeFileSync(
            conf,
            [
                `http_port 127.0.0.1:${port}`,
                `pid_filename ${folder}/squid.pid`,
                `cache_log ${folder}/cache.log`,
                `access_log stdio:${folder}/access.log squid`,
                `coredump_dir ${folder}`,
                'cache deny all',
                'netdb_filename none',
                'shutdown_lifetime 0 seconds',
                'logfile_rotate 0',
                `auth_param basic program ${Squid.BASIC_AUTH} ${passwords}`,
                'auth_param basic realm uwia-tests',
                'auth_param basic children 2',
                'acl authenticated proxy_auth REQUIRED',
                'acl loopback dst 127.0.0.0/8',
                // Tunnels to any loopback port (the emulator speaks plain HTTP on a free port), and nowhere else.
                'http_access deny !loopback',
                'http_access allow authenticated',
                'http_access deny all',
                '',
            ].join('\n'),
        );
        const output = { text: '' };
        const child = spawn(Squid.SQUID, ['-N', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout?.on('data', (chunk: Buffer) => (output.text += chunk.toString('utf8')));
        child.stderr?.on('data', (chunk: Buffer) => (output.text += chunk.toString('utf8')));
        const squid = new Squid(child, folder, port, output);
        await squid.listening();
        return squid;
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    /** The CONNECT lines of the access log: one per tunnel, written when the tunnel closes. */
    connectLines(): string[] {
        const log = path.join(this.folder, 'access.log');
        return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((line) => / CONNECT /.test(line)) : [];
    }

    /** Stops squid, which writes out its logs; they stay readable until `remove`. */
    async stop(): Promise<void> {
        if (this.child.exitCode === null && this.child.signalCode === null) {
            const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
            this.child.kill('SIGTERM');
            const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
            await exited;
            clearTimeout(timer);
        }
    }

    async remove(): Promise<void> {
        await this.stop();
        fs.rmSync(this.folder, { recursive: true, force: true });
    }

    /** Until squid accepts connections on its port; fails with what it printed when it exits or takes more than 15 s. */
    private async listening(): Promise<void> {
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline) {
            if (this.child.exitCode !== null) {
                throw new Error(`squid exited with ${this.child.exitCode}: ${this.output.text}${this.cacheLog()}`);
            }
            if (await canConnect(this.port)) {
                return;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await this.remove();
        throw new Error(`squid did not listen within 15 s: ${this.output.text}${this.cacheLog()}`);
    }

    private cacheLog(): string {
        const log = path.join(this.folder, 'cache.log');
        return fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    }
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port });
        socket.once('connect', () => {
            socket.destroy();
            resolve(true);
        });
        socket.once('error', () => resolve(false));
    });
}
